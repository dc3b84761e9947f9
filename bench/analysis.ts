/**
 * Codebase analysis on a 50,000-file tree: languages, frameworks and test command, then the
 * files relevant to a task within a 30,000-token budget. Goal: well under a second.
 */
import { analyseTree, type TreeFile } from '../src/agents/codebase-analysis.js';
import { rankRelevantFiles } from '../src/agents/relevant-files.js';
import { fmt, repeat, table } from './support/measure.js';

const FILES = 50_000;
const AREAS = ['billing', 'cart', 'users', 'search', 'orders', 'payments', 'auth', 'reports'];
const KINDS = ['service', 'controller', 'model', 'view', 'helper', 'totals', 'rounding', 'export'];
const EXTENSIONS = ['ts', 'ts', 'tsx', 'js', 'json', 'md', 'css'];

/** A deterministic large tree: application code, its tests, and vendored code to skip. */
function syntheticTree(): TreeFile[] {
  const files: TreeFile[] = [{ path: 'package.json', size: 2_000 }];
  for (let i = 0; files.length < FILES; i++) {
    const area = AREAS[i % AREAS.length] ?? 'misc';
    const kind = KINDS[(i >> 3) % KINDS.length] ?? 'misc';
    const ext = EXTENSIONS[i % EXTENSIONS.length] ?? 'ts';
    const folder =
      i % 5 === 0
        ? `node_modules/lib-${i % 400}`
        : i % 7 === 0
          ? `test/${area}`
          : `src/${area}/m${i % 300}`;
    files.push({ path: `${folder}/${kind}${i}.${ext}`, size: 200 + ((i * 7919) % 20_000) });
  }
  return files;
}

export async function run(): Promise<void> {
  const tree = syntheticTree();
  const task = 'Cart totals are off by a cent when rounding discounted orders';
  const analyse = await repeat(20, () => Promise.resolve(analyseTree(tree)));
  const rank = await repeat(20, () =>
    Promise.resolve(rankRelevantFiles(tree, { text: task }, 30_000)),
  );
  const chosen = rankRelevantFiles(tree, { text: task }, 30_000);
  console.log(`\ncodebase analysis, ${tree.length} files (median of 20)\n`);
  console.log(
    table(
      ['step', 'median ms', 'p95 ms'],
      [
        ['languages, frameworks, test command', fmt(analyse.median), fmt(analyse.p95)],
        ['relevant files within 30,000 tokens', fmt(rank.median), fmt(rank.p95)],
        ['both', fmt(analyse.median + rank.median), fmt(analyse.p95 + rank.p95)],
      ],
    ),
  );
  console.log(
    `selected ${chosen.length} files, ${chosen.reduce((n, f) => n + f.tokens, 0)} tokens; first: ${chosen[0]?.path ?? '-'}`,
  );
}
