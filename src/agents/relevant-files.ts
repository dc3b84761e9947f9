import { isIgnored, languageOf, type TreeFile } from './codebase-analysis.js';

export interface RelevanceHints {
  /** Task words: title, description, labels. */
  readonly text: string;
  /** Paths the task names outright (they come first). */
  readonly paths?: readonly string[];
  /** Files changed recently (a mild preference). */
  readonly recentlyChanged?: ReadonlySet<string>;
  /** Imports of files already read: path → the paths it imports. */
  readonly imports?: ReadonlyMap<string, readonly string[]>;
}

export interface RankedFile {
  readonly path: string;
  readonly score: number;
  readonly tokens: number;
}

const TEST_FILE = /(^|\/)(tests?|__tests__|spec)\/|\.(test|spec)\.[a-z]+$/;

/** A rough token count from a size: about four bytes a token for code. */
export const tokensOf = (size: number): number => Math.ceil(size / 4);

const STOP = new Set([
  'the',
  'and',
  'for',
  'with',
  'that',
  'this',
  'from',
  'into',
  'when',
  'should',
  'must',
  'add',
  'fix',
  'make',
  'use',
  'are',
  'not',
  'but',
  'all',
  'any',
  'can',
  'has',
  'have',
  'its',
  'our',
  'new',
  'off',
  'out',
  'was',
  'will',
  'been',
  'than',
  'then',
  'them',
  'they',
  'there',
]);

/** Lowercase words of 3+ letters, split on camelCase, snake_case and punctuation. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOP.has(w))
    .map(stem);
}

/** A light stemmer: "totals", "totalled", "totaling" all meet at "total". */
function stem(word: string): string {
  return word.replace(/(ing|ed|es|s)$/, '').replace(/(.)\1$/, '$1');
}

/**
 * The files most likely to matter for a task, best first, within a token budget. A file
 * scores for task words in its path (its name counts more than its folders), for being named
 * by the task, changed recently, imported by a matching file, or the test of one. Generated
 * and vendored code never counts.
 */
export function rankRelevantFiles(
  files: readonly TreeFile[],
  hints: RelevanceHints,
  tokenBudget: number,
): RankedFile[] {
  const words = new Set(wordsOf(hints.text));
  const named = new Set(hints.paths ?? []);
  const scored: RankedFile[] = [];
  for (const file of files) {
    if (isIgnored(file.path) || languageOf(file.path) === undefined) continue;
    let score = named.has(file.path) ? 100 : 0;
    const segments = file.path.split('/');
    const name = segments.pop() ?? '';
    for (const w of wordsOf(name)) if (words.has(w)) score += 10;
    for (const segment of segments) for (const w of wordsOf(segment)) if (words.has(w)) score += 3;
    if (hints.recentlyChanged?.has(file.path) === true) score += 2;
    // Between a source and its test, the source is what the task changes first.
    if (score > 0 && TEST_FILE.test(file.path)) score -= 1;
    if (score > 0) scored.push({ path: file.path, score, tokens: tokensOf(file.size) });
  }
  const byPath = new Map(scored.map((f) => [f.path, f]));
  // Files the best matches import are context the agent will want.
  const sizes =
    hints.imports === undefined
      ? new Map<string, number>()
      : new Map(files.map((f) => [f.path, f.size]));
  for (const [from, targets] of hints.imports ?? []) {
    const source = byPath.get(from);
    if (source === undefined) continue;
    for (const target of targets) {
      const size = sizes.get(target);
      const known = byPath.get(target);
      if (known !== undefined) byPath.set(target, { ...known, score: known.score + 4 });
      else if (size !== undefined)
        byPath.set(target, { path: target, score: 4, tokens: tokensOf(size) });
    }
  }
  const ranked = [...byPath.values()].sort(
    (a, b) => b.score - a.score || a.tokens - b.tokens || a.path.localeCompare(b.path),
  );
  const chosen: RankedFile[] = [];
  let used = 0;
  for (const file of ranked) {
    if (used + file.tokens > tokenBudget) continue;
    chosen.push(file);
    used += file.tokens;
  }
  return chosen;
}
