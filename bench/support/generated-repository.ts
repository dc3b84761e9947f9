/**
 * A generated repository for the working-copy benchmark: the layout of a real TypeScript
 * service, the same bytes on every run (seeded). Most files are fixtures under `fixtures/`,
 * which sort before `src/`; source files are a few KB; there is a manifest, tests, docs, a
 * small vendored folder and one data file over 1 MiB.
 */

/** mulberry32: a tiny seeded generator, so that every run serves (and sends) the same. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = ReturnType<typeof seeded>;

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;
const between = (random: Random, low: number, high: number): number =>
  low + Math.floor(random() * (high - low + 1));
const pad = (n: number) => String(n).padStart(4, '0');

const MODULES = [
  'accounts',
  'admin',
  'api',
  'auth',
  'cart',
  'catalog',
  'checkout',
  'db',
  'inventory',
  'notifications',
  'payments',
  'pricing',
  'reports',
  'search',
  'shipping',
  'util',
] as const;
const NOUNS = ['order', 'item', 'price', 'customer', 'invoice', 'address', 'discount', 'stock'];
const VERBS = ['load', 'save', 'validate', 'format', 'compute', 'merge', 'parse', 'apply'];
const DOMAINS = ['customers', 'invoices', 'orders', 'products', 'refunds', 'shipments'];

/** A TypeScript module of about `bytes` bytes: imports, a type and exported functions. */
function sourceFile(random: Random, module: string, name: string, bytes: number): string {
  const lines = [
    `/** ${module}: ${name.replaceAll('-', ' ')}. */`,
    `import { log } from '../util/log.js';`,
    `import type { Context } from '../api/context.js';`,
    '',
    `export interface ${capitalize(pick(random, NOUNS))}Record {`,
    '  readonly id: string;',
    '  readonly amount: number;',
    '  readonly updatedAt: Date;',
    '}',
  ];
  let n = 0;
  while (lines.join('\n').length < bytes) {
    const verb = pick(random, VERBS);
    const noun = pick(random, NOUNS);
    const fn = `${verb}${capitalize(noun)}${n++}`;
    lines.push(
      '',
      `/** ${capitalize(verb)}s a ${noun} for the ${module} module. */`,
      `export async function ${fn}(context: Context, input: { id: string; amount: number }) {`,
      `  if (input.amount < 0) throw new Error(\`${fn}: negative amount \${input.amount}\`);`,
      `  const found = await context.db.${noun}s.find(input.id);`,
      `  log.debug({ id: input.id, step: '${fn}' }, '${verb} ${noun}');`,
      `  return { ...found, amount: Math.round(input.amount * ${between(random, 2, 999)}) / 100 };`,
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

function testFile(random: Random, module: string, name: string): string {
  const cases = between(random, 3, 12);
  const lines = [
    `import { describe, expect, it } from 'vitest';`,
    `import * as subject from '../../src/${module}/${name}.js';`,
    '',
    `describe('${module}/${name}', () => {`,
  ];
  for (let i = 0; i < cases; i++)
    lines.push(
      `  it('handles case ${i} of ${pick(random, NOUNS)}s', () => {`,
      `    expect(Object.keys(subject).length).toBeGreaterThan(${i % 2});`,
      '  });',
    );
  lines.push('});');
  return `${lines.join('\n')}\n`;
}

function fixtureFile(random: Random, domain: string, index: number): string {
  const records = Array.from({ length: between(random, 2, 20) }, (_, i) => ({
    id: `${domain.slice(0, 3)}-${index}-${i}`,
    amount: between(random, 0, 1_000_000) / 100,
    status: pick(random, ['open', 'paid', 'shipped', 'refunded']),
    tags: Array.from({ length: between(random, 0, 4) }, () => pick(random, NOUNS)),
  }));
  return `${JSON.stringify({ domain, index, records }, null, 2)}\n`;
}

function docFile(random: Random, topic: string): string {
  const paragraphs = Array.from({ length: between(random, 3, 10) }, () =>
    Array.from(
      { length: between(random, 20, 60) },
      () => `${pick(random, VERBS)} ${pick(random, NOUNS)}`,
    ).join(' '),
  );
  return `# ${topic}\n\n${paragraphs.join('\n\n')}\n`;
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

const TOP_LEVEL: Readonly<Record<string, string>> = {
  'package.json': `${JSON.stringify(
    {
      name: 'acme-shop',
      version: '3.14.0',
      private: true,
      type: 'module',
      scripts: { build: 'tsc -p .', test: 'vitest run', lint: 'eslint .' },
      devDependencies: { typescript: '^5.9.0', vitest: '^3.2.0', eslint: '^9.0.0' },
    },
    null,
    2,
  )}\n`,
  'README.md': '# acme-shop\n\nThe shop: catalogue, cart, checkout, payments, shipping.\n',
  'AGENTS.md': '# Notes for agents\n\nRun `npm test`. Fixtures under fixtures/ are generated.\n',
  'tsconfig.json': '{ "compilerOptions": { "strict": true, "module": "NodeNext" } }\n',
  '.gitignore': 'node_modules/\ndist/\ncoverage/\n',
};

/**
 * `files` files (at least ~100), path → content, the same for the same seed: 60 % fixtures,
 * 10 % tests, 2 % docs, the top-level files, 8 vendored files, one 1.5 MB data file, and
 * source files for the rest.
 */
export function generateRepository(options: {
  files: number;
  seed?: number;
}): Record<string, string> {
  const random = seeded(options.seed ?? 15);
  const files: Record<string, string> = { ...TOP_LEVEL };
  const fixtures = Math.round(options.files * 0.6);
  const tests = Math.round(options.files * 0.1);
  const docs = Math.round(options.files * 0.02);
  const vendored = 8;
  const sources =
    options.files - Object.keys(TOP_LEVEL).length - 1 - vendored - fixtures - tests - docs;
  if (sources < MODULES.length)
    throw new Error(`a generated repository needs more than ${options.files} files`);

  // One data file over 1 MiB (about 1.5 MB of catalogue rows).
  files['data/catalogue.json'] = `${JSON.stringify(
    Array.from({ length: 20_000 }, (_, i) => ({
      sku: `SKU-${pad(i)}`,
      name: `${pick(random, NOUNS)} ${pick(random, NOUNS)} ${i}`,
      price: between(random, 100, 99_999) / 100,
      stock: between(random, 0, 500),
    })),
  )}\n`;
  for (let i = 0; i < vendored; i++)
    files[`vendor/legacy-charts/chart-${i}.js`] =
      `/* vendored chart library, part ${i} */\nexport const part${i} = ${i};\n`;
  for (let i = 0; i < fixtures; i++) {
    const domain = DOMAINS[i % DOMAINS.length] ?? 'orders';
    files[`fixtures/${domain}/case-${pad(i)}.json`] = fixtureFile(random, domain, i);
  }
  for (let i = 0; i < docs; i++)
    files[`docs/${pick(random, MODULES)}-${pad(i)}.md`] = docFile(random, `Topic ${i}`);
  const sourceNames: [string, string][] = [];
  for (let i = 0; i < sources; i++) {
    const module = MODULES[i % MODULES.length] ?? 'util';
    const name = `${pick(random, NOUNS)}-${pick(random, VERBS)}-${pad(i)}`;
    files[`src/${module}/${name}.ts`] = sourceFile(
      random,
      module,
      name,
      between(random, 1_500, 6_000),
    );
    sourceNames.push([module, name]);
  }
  for (let i = 0; i < tests; i++) {
    const [module, name] = sourceNames[i % sourceNames.length] ?? ['util', 'none'];
    files[`test/${module}/${name}.test.ts`] = testFile(random, module, name);
  }
  return files;
}
