import { createHash } from 'node:crypto';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../src/git/git.js';

/**
 * A repository as real ones are, not as a six-file sample: ~3,000 fixture files that sort before
 * `src/`, a 2 MB data file, an executable script, a symbolic link, a binary file, and the code
 * to fix indented with tabs. Built once into `<dataDir>/repos/<name>` (a git repository with one
 * commit on main), where the local git plugin finds it.
 */
export const MESSY = {
  name: 'messy-shop',
  fixtures: 3_000,
  /** The line with the bug, as the file has it (tab-indented). */
  bug: '\treturn lines.reduce((sum, line) => sum + line.price, 0);',
  fix: '\treturn lines.reduce((sum, line) => sum + line.price * quantityOf(line), 0);',
  /** The same line as a model that assumed spaces would send it. */
  bugWithSpaces: '    return lines.reduce((sum, line) => sum + line.price, 0);',
} as const;

export async function createMessyRepository(dataDir: string): Promise<string> {
  const repo = path.join(dataDir, 'repos', MESSY.name);
  await mkdir(repo, { recursive: true });
  const write = async (file: string, content: string | Buffer) => {
    await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
    await writeFile(path.join(repo, file), content);
  };
  for (let i = 0; i < MESSY.fixtures; i++) {
    const id = String(i).padStart(4, '0');
    // About 4 KB each: reading a few dozen of them fills a small context window.
    const rows = Array.from({ length: 40 }, (_, r) => ({
      sku: `SKU-${id}-${r}`,
      price: (i * 7 + r * 13) % 997,
      note: `fixture ${id} row ${r} of the order history`,
    }));
    await write(`fixtures/case-${id}.json`, `${JSON.stringify(rows, null, 1)}\n`);
  }
  await write('data/catalog.csv', catalog(2 * 1024 * 1024));
  await write('scripts/release.sh', '#!/bin/sh\necho "releasing $1"\n');
  await chmod(path.join(repo, 'scripts/release.sh'), 0o755);
  await write('CHANGELOG.md', '# Changelog\n\n- 1.0.0: first release\n');
  await mkdir(path.join(repo, 'docs'), { recursive: true });
  await symlink('../CHANGELOG.md', path.join(repo, 'docs/latest.md'));
  await write('assets/logo.bin', binary(64 * 1024));
  await write(
    'package.json',
    `${JSON.stringify({ name: MESSY.name, private: true, type: 'module', scripts: { test: 'node --test test/' } }, null, 2)}\n`,
  );
  await write(
    'src/quantity.js',
    'export function quantityOf(line) {\n\treturn line.quantity ?? 1;\n}\n',
  );
  await write(
    'src/order.js',
    [
      "import { quantityOf } from './quantity.js';",
      '',
      '// The total of an order, in cents.',
      'export function orderTotal(lines) {',
      MESSY.bug,
      '}',
      '',
      '// Keeps the import in use until orderTotal counts quantities.',
      'export const countsQuantities = typeof quantityOf === "function";',
      '',
    ].join('\n'),
  );
  await write(
    'test/order.test.js',
    [
      "import assert from 'node:assert/strict';",
      "import { test } from 'node:test';",
      "import { orderTotal } from '../src/order.js';",
      '',
      "test('an order costs the sum of its lines', () => {",
      '\tassert.equal(orderTotal([{ price: 100 }, { price: 250 }]), 350);',
      '});',
      '',
      "test('a line costs its price times its quantity', () => {",
      '\tassert.equal(orderTotal([{ price: 100, quantity: 3 }]), 300);',
      '});',
      '',
    ].join('\n'),
  );
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: repo });
  await git(['add', '--all'], { cwd: repo });
  await git(['commit', '--quiet', '-m', 'Messy shop'], { cwd: repo });
  return repo;
}

/** CSV text of about `bytes` bytes, one product a line. */
function catalog(bytes: number): string {
  const lines = ['sku,name,price'];
  let size = lines[0]!.length + 1;
  for (let i = 0; size < bytes; i++) {
    const line = `SKU-${i},product number ${i} of the catalogue,${(i * 31) % 10_000}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** Bytes that are not text (NULs included), the same every time. */
function binary(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let block = createHash('sha256').update('messy').digest();
  for (let at = 0; at < bytes; at += block.length) {
    block.copy(out, at);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
