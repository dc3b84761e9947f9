import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StepError } from '../../engine/step-errors.js';
import type { Located } from './editor-files.js';
import { linesOf, numberLine } from './numbered-lines.js';

export interface ViewLimits {
  /** Longest answer, in characters: a view stops at the last whole line within it. */
  readonly maxChars: number;
  /** Most entries a directory view lists. */
  readonly maxEntries: number;
}

/** A line longer than this is cut in a view (minified code, data on one line). */
const MAX_LINE_CHARS = 4000;

/**
 * A file's lines, numbered, from `range[0]` to `range[1]` (1-based; -1 the last line), within
 * the answer's size: a view that would be longer stops at a whole line and says how to see on.
 */
export function viewFile(
  text: string,
  file: string,
  range: readonly number[] | undefined,
  limits: ViewLimits,
  notes: readonly string[] = [],
): string {
  const lines = linesOf(text);
  if (lines.length === 0) return `${file} is empty.`;
  const [first, last] = lineRange(range, lines.length, file);
  const header = `Here's the result of running \`cat -n\` on ${file}:\n`;
  const shown: string[] = [];
  let size = header.length;
  let n = first;
  for (; n <= last; n++) {
    const line = numberLine(cutLine(lines[n - 1] ?? ''), n);
    if (size + line.length + 1 > limits.maxChars && shown.length > 0) break;
    shown.push(line);
    size += line.length + 1;
  }
  const extra = [...notes];
  if (range !== undefined && range[1] !== undefined && range[1] > lines.length)
    extra.push(`(${file} has ${lines.length} lines: the view ends there)`);
  if (n <= last) {
    const next = `[${n}, ${Math.min(lines.length, n + Math.max(50, n - first))}]`;
    extra.push(
      `[… the view stops at line ${n - 1} of ${lines.length} to stay within ${limits.maxChars} characters; view the rest with view_range, e.g. ${next}]`,
    );
  }
  return `${header}${shown.join('\n')}${extra.length > 0 ? `\n${extra.join('\n')}` : ''}`;
}

function lineRange(range: readonly number[] | undefined, count: number, file: string) {
  if (range === undefined) return [1, count] as const;
  const [start = 1, end = -1] = range;
  if (range.length !== 2 || !Number.isInteger(start) || !Number.isInteger(end))
    throw invalid(`view_range must be two whole numbers [start, end], e.g. [1, 50]`);
  if (start < 1 || start > count)
    throw invalid(`view_range starts at line ${start}, but ${file} has lines 1 to ${count}`);
  if (end !== -1 && end < start)
    throw invalid(`view_range [${start}, ${end}] ends before it starts; use -1 to view to the end`);
  return [start, end === -1 ? count : Math.min(end, count)] as const;
}

function cutLine(line: string): string {
  return line.length <= MAX_LINE_CHARS
    ? line
    : `${line.slice(0, MAX_LINE_CHARS)}… [line cut: ${line.length - MAX_LINE_CHARS} more characters]`;
}

const invalid = (message: string) => new StepError(message, { code: 'invalid_input' });

/** Entries not listed: hidden ones (their names start with a dot) and installed packages. */
const SKIPPED = (name: string) => name.startsWith('.') || name === 'node_modules';

/**
 * A directory's files and folders up to two levels deep, as paths from the repository root
 * (folders end with `/`, links show their target), hidden entries and node_modules left out; at
 * most `maxEntries`, then a line saying how many more there are.
 */
export async function viewDirectory(located: Located, limits: ViewLimits): Promise<string> {
  const shown: string[] = [];
  let more = 0;
  const add = (entry: string) => {
    if (shown.length < limits.maxEntries) shown.push(entry);
    else more += 1;
  };
  const walk = async (dir: string, relative: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (SKIPPED(entry.name)) continue;
      const full = path.join(dir, entry.name);
      const name = relative === '.' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        const target = await fs.readlink(full).catch(() => '?');
        add(`${name} -> ${target}`);
      } else if (entry.isDirectory()) {
        add(`${name}/`);
        // Links are listed, never followed: what they point at is checked when it is read.
        if (depth < 2) await walk(full, name, depth + 1);
      } else add(name);
    }
  };
  await walk(located.absolute, located.relative, 1);
  const where = located.relative === '.' ? 'the repository root' : located.relative;
  const header = `Here are the files and directories up to 2 levels deep in ${where}, excluding hidden items and node_modules:\n`;
  let body = shown.length === 0 ? '(empty)' : shown.join('\n');
  if (more > 0) body += `\n[… ${more} more entries not shown; view a subdirectory to see its part]`;
  // Very long names could still pass the character limit: cut at a whole line.
  if (header.length + body.length > limits.maxChars) {
    const cut = body.lastIndexOf('\n', limits.maxChars - header.length);
    body = `${body.slice(0, Math.max(0, cut))}\n[… the listing is cut to stay within ${limits.maxChars} characters; view a subdirectory]`;
  }
  return `${header}${body}`;
}
