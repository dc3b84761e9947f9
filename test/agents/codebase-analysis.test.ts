import { describe, expect, it } from 'vitest';
import { analyseTree } from '../../src/agents/codebase-analysis.js';
import { rankRelevantFiles, wordsOf } from '../../src/agents/relevant-files.js';

const tree = [
  { path: 'package.json', size: 400 },
  { path: 'src/cart/total.ts', size: 800 },
  { path: 'src/cart/round-money.ts', size: 400 },
  { path: 'src/users/profile.ts', size: 4_000 },
  { path: 'src/money/format.ts', size: 600 },
  { path: 'test/cart/total.test.ts', size: 700 },
  { path: 'scripts/deploy.sh', size: 200 },
  { path: 'node_modules/money-lib/index.js', size: 90_000 },
  { path: 'dist/cart/total.js', size: 900 },
  { path: 'README.md', size: 1_000 },
];

describe('codebase analysis', () => {
  it('reports languages by share of source bytes, frameworks and the test command', () => {
    const analysis = analyseTree(tree, {
      'package.json': JSON.stringify({
        scripts: { test: 'vitest run' },
        dependencies: { express: '^5' },
        devDependencies: { vitest: '^4' },
      }),
    });
    expect(analysis.languages.map((l) => l.name)).toEqual(['TypeScript', 'Shell']);
    expect(analysis.languages[0]?.files).toBe(5);
    expect(analysis.frameworks).toEqual(['Express', 'Vitest']);
    expect(analysis.testCommand).toBe('npm test');
    expect(analysis.manifests).toEqual(['package.json']);
  });

  it('knows the test command of other ecosystems, and says when nothing tells', () => {
    expect(analyseTree([{ path: 'go.mod', size: 1 }]).testCommand).toBe('go test ./...');
    expect(
      analyseTree([{ path: 'pyproject.toml', size: 1 }], {
        'pyproject.toml': 'dependencies = ["django>=5"]',
      }),
    ).toMatchObject({ testCommand: 'pytest', frameworks: ['Django'] });
    expect(analyseTree([{ path: 'notes.txt', size: 1 }]).testCommand).toBeNull();
  });
});

describe('relevant files', () => {
  it('splits words the way code names things', () => {
    expect(wordsOf('Round cart totals in roundMoney and user_profile')).toEqual([
      'round',
      'cart',
      'total',
      'round',
      'money',
      'user',
      'profile',
    ]);
  });

  it('ranks files by the task’s words (names over folders), never vendored or built code', () => {
    const ranked = rankRelevantFiles(
      tree,
      { text: 'Cart totals are off by a cent: round the money' },
      10_000,
    );
    expect(ranked.map((f) => f.path)).toEqual([
      'src/cart/round-money.ts',
      'src/cart/total.ts',
      'test/cart/total.test.ts',
      'src/money/format.ts',
    ]);
  });

  it('keeps within the token budget, and puts files the task names first', () => {
    const ranked = rankRelevantFiles(
      tree,
      { text: 'cart totals', paths: ['src/users/profile.ts'] },
      1_000 + 200 + 175,
    );
    expect(ranked.map((f) => [f.path, f.tokens])).toEqual([
      ['src/users/profile.ts', 1_000],
      ['src/cart/total.ts', 200],
      ['test/cart/total.test.ts', 175],
    ]);
  });

  it('adds what matching files import, and prefers recent changes among equals', () => {
    const ranked = rankRelevantFiles(
      tree,
      {
        text: 'cart totals',
        imports: new Map([['src/cart/total.ts', ['src/money/format.ts']]]),
        recentlyChanged: new Set(['test/cart/total.test.ts']),
      },
      10_000,
    );
    expect(ranked.map((f) => f.path)).toEqual([
      'test/cart/total.test.ts',
      'src/cart/total.ts',
      'src/money/format.ts',
      'src/cart/round-money.ts',
    ]);
  });
});
