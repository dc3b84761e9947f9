import path from 'node:path';
import type { ActionRunner, AgentCall } from '../engine/runners.js';
import type { JsonObject } from '../store/sql.js';
import { analyseTree, type RepositoryAnalysis, type TreeFile } from './codebase-analysis.js';
import { rankRelevantFiles } from './relevant-files.js';
import { fileTree, readFiles, versionControl, type ReadingCall } from './repository-reads.js';

const ROOT_MANIFESTS = new Set([
  'package.json',
  'pyproject.toml',
  'go.mod',
  'Cargo.toml',
  'Makefile',
]);

/** The task as the analysis reads it: its words, and any repository paths it names. */
export interface TaskText {
  readonly key?: string | undefined;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly labels?: readonly string[] | undefined;
}

/** What the analysis found, as the workflow's `analysis` output carries it. */
export interface RepositoryFacts extends JsonObject {
  repository: string;
  default_branch: string;
  file_count: number;
  languages: { name: string; files: number; share: number }[];
  frameworks: string[];
  test_command: string | null;
  manifests: string[];
  relevant_files: { path: string; score: number; tokens: number }[];
  summary: string;
}

/**
 * What the agents know about a repository before any model is asked: languages, frameworks,
 * the test command, and the files most likely to matter for the task (within a token budget),
 * found from the file tree, the manifests and the imports of the best matches. No model call:
 * this costs nothing and takes well under a second even on large trees.
 */
export async function analyseRepository(options: {
  actions: ActionRunner;
  call: AgentCall;
  repository: string;
  task: TaskText;
  tokenBudget: number;
}): Promise<RepositoryFacts> {
  const { actions, call, repository, task } = options;
  const info = (await versionControl(
    actions,
    call,
    'info',
  )('get_repository_info', {
    repository,
  })) as { repository: { default_branch: string; full_name: string } };
  const { tree, analysis } = await analyseFiles({ actions, call, repository });
  const text = [task.key, task.title, task.description, ...(task.labels ?? [])].join('\n');
  const paths = tree.filter((f) => text.includes(f.path)).map((f) => f.path);
  let relevant = rankRelevantFiles(tree, { text, paths }, options.tokenBudget);
  // The best matches' imports are context too: read them and rank once more.
  const top = relevant.slice(0, 8).map((f) => f.path);
  if (top.length > 0) {
    const sources = await readFiles(actions, call, repository, top);
    const imports = new Map(sources.map((s) => [s.path, importsOf(s.path, s.content, tree)]));
    relevant = rankRelevantFiles(tree, { text, paths, imports }, options.tokenBudget);
  }
  const languages = analysis.languages.map((l) => `${l.name} ${Math.round(l.share * 100)} %`);
  return {
    repository: info.repository.full_name,
    default_branch: info.repository.default_branch,
    file_count: tree.length,
    languages: analysis.languages.map((l) => ({ ...l })),
    frameworks: [...analysis.frameworks],
    test_command: analysis.testCommand,
    manifests: [...analysis.manifests],
    relevant_files: relevant.map((f) => ({ path: f.path, score: f.score, tokens: f.tokens })),
    summary: [
      languages.join(', ') || 'no source files recognised',
      analysis.frameworks.length > 0 ? analysis.frameworks.join(', ') : undefined,
      `tests: ${analysis.testCommand ?? 'no test command found'}`,
      `${tree.length} files`,
    ]
      .filter((part) => part !== undefined)
      .join('; '),
  };
}

/**
 * The tree of `ref` (default: the default branch) and what its file names and root manifests
 * say: languages, frameworks, the test command. Two or three reads, no model.
 */
export async function analyseFiles(options: {
  actions: ActionRunner;
  call: ReadingCall;
  repository: string;
  ref?: string;
}): Promise<{ tree: TreeFile[]; analysis: RepositoryAnalysis }> {
  const { actions, call, repository, ref } = options;
  const tree = await fileTree(actions, call, repository, ref);
  const present = tree.filter((f) => ROOT_MANIFESTS.has(f.path)).map((f) => f.path);
  const manifests = Object.fromEntries(
    present.length === 0
      ? []
      : (await readFiles(actions, call, repository, present, ref)).map((f) => [f.path, f.content]),
  );
  return { tree, analysis: analyseTree(tree, manifests) };
}

const IMPORT =
  /(?:import|export)[^'"]*from\s*['"](\.{1,2}\/[^'"]+)['"]|require\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const EXTENSIONS = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '/index.ts', '/index.js'];

/** Relative JavaScript/TypeScript imports of a file, resolved to paths of the tree. */
export function importsOf(file: string, source: string, tree: readonly TreeFile[]): string[] {
  const known = new Set(tree.map((f) => f.path));
  const found = new Set<string>();
  for (const match of source.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2];
    if (specifier === undefined) continue;
    const base = path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, '');
    const hit = EXTENSIONS.map((ext) => base + ext).find((candidate) => known.has(candidate));
    if (hit !== undefined && hit !== file) found.add(hit);
  }
  return [...found];
}
