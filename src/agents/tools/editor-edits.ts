import { distance } from 'fastest-levenshtein';
import { StepError } from '../../engine/step-errors.js';
import { linesOf, numberLine, numbered } from './numbered-lines.js';

/** A file's text after an edit, and where the new text lies in it (1-based lines). */
export interface Edited {
  readonly text: string;
  readonly firstLine: number;
  readonly lastLine: number;
}

/**
 * Replaces the one occurrence of `oldStr` in `text` by `newStr`. No occurrence, or several, is a
 * refusal that says what to change: where the several are, or which lines come closest (with
 * their whitespace made visible) when there is none. A file with CRLF line ends matches an
 * `oldStr` written with plain newlines, and keeps its line ends.
 */
export function replaceOnce(text: string, oldStr: string, newStr: string, file: string): Edited {
  if (oldStr === '')
    throw refused(
      `old_str is empty; give the exact text to replace, copied from a view of ${file} without the line numbers (to add lines, use insert)`,
    );
  if (oldStr === newStr) throw refused('new_str is the same as old_str: nothing would change');
  let [search, replacement] = [oldStr, newStr];
  let at = occurrences(text, search);
  if (at.length === 0 && text.includes('\r\n') && !oldStr.includes('\r')) {
    [search, replacement] = [toCrlf(oldStr), toCrlf(newStr)];
    at = occurrences(text, search);
  }
  if (at.length > 1) {
    // Several on one line (a tab, a short word) name that line once.
    const lines = [...new Set(at.map((index) => lineAt(text, index)))];
    const shown = lines.length > 20 ? `${lines.slice(0, 20).join(', ')}, …` : lines.join(', ');
    throw refused(
      `old_str occurs ${at.length} times in ${file}, starting at lines ${shown}; include more of the surrounding lines so that it matches exactly once`,
    );
  }
  const index = at[0];
  if (index === undefined) throw refused(noMatch(text, oldStr, file));
  const edited = text.slice(0, index) + replacement + text.slice(index + search.length);
  const firstLine = lineAt(text, index);
  return { text: edited, firstLine, lastLine: firstLine + countNewlines(replacement) };
}

/**
 * Inserts `insertText` as whole lines after line `after` (0: at the top). The file's final
 * newline, or its absence, is kept; CRLF files get CRLF lines.
 */
export function insertAt(text: string, after: number, insertText: string, file: string): Edited {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const endsWithNewline = text === '' || text.endsWith('\n');
  const lines = text === '' ? [] : text.split(eol);
  if (text !== '' && endsWithNewline) lines.pop();
  if (!Number.isInteger(after) || after < 0 || after > lines.length)
    throw refused(
      `insert_line ${after} is not a line of ${file}: give 0 (insert at the top) to ${lines.length} (after the last line)`,
    );
  // The text's own final newline ends its last line; it adds no empty line.
  const added = insertText.replace(/\r?\n$/, '').split(/\r?\n/);
  const result = [...lines.slice(0, after), ...added, ...lines.slice(after)].join(eol);
  return {
    text: endsWithNewline ? `${result}${eol}` : result,
    firstLine: after + 1,
    lastLine: after + added.length,
  };
}

const refused = (message: string) => new StepError(message, { code: 'edit_refused' });
const toCrlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const countNewlines = (text: string) => text.split('\n').length - 1;
const lineAt = (text: string, index: number) => countNewlines(text.slice(0, index)) + 1;

function occurrences(text: string, search: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(search); i >= 0; i = text.indexOf(search, i + 1)) found.push(i);
  return found;
}

/** Lines compared without their whitespace: indentation and spacing aside, the same code. */
const squeezed = (line: string) => line.replace(/\s+/g, ' ').trim();
const visible = (line: string) => JSON.stringify(line);

/**
 * Why `oldStr` did not match, in the terms a model can act on: line numbers copied along, the
 * same lines with other whitespace (tabs for spaces, most often), or the closest line.
 */
function noMatch(text: string, oldStr: string, file: string): string {
  const head = `old_str is not in ${file}`;
  const wanted = linesOf(oldStr);
  if (wanted.length > 0 && wanted.every((l) => /^\s*\d+\t/.test(l)))
    return `${head}: it seems to include the line numbers of a view (\`   12\\t…\`); give the text without them`;
  const lines = linesOf(text);
  const span = sameButWhitespace(lines, wanted);
  if (span !== undefined) {
    const shown = lines
      .slice(span - 1, span - 1 + wanted.length)
      .map((l, i) => `${numberLine(visible(l), span + i)}`)
      .join('\n');
    const tabs = lines[span - 1]?.startsWith('\t') === true && !oldStr.startsWith('\t');
    return `${head} exactly, but lines ${span}–${span + wanted.length - 1} match it when whitespace is ignored: their whitespace differs${tabs ? ' (the file indents with tabs, old_str with spaces)' : ''}. Here they are as JSON strings, so that tabs (\\t) and spaces show; copy them exactly:\n${shown}`;
  }
  const near = closestLine(lines, wanted);
  if (near === undefined)
    return `${head}; view the file and copy the lines to replace exactly, whitespace included, without the line numbers`;
  return `${head}; view it again and copy the lines exactly, whitespace included, without the line numbers. The closest line is ${near}:\n${numbered(lines, near - 2, near + 2)}`;
}

/** The first line of a run of `lines` equal to `wanted` but for whitespace. */
function sameButWhitespace(
  lines: readonly string[],
  wanted: readonly string[],
): number | undefined {
  const target = wanted.map(squeezed);
  if (target.every((l) => l === '')) return undefined;
  for (let start = 0; start + target.length <= lines.length; start++)
    if (target.every((l, i) => squeezed(lines[start + i] ?? '') === l)) return start + 1;
  return undefined;
}

/** The line most like the first non-blank line of old_str (bounded: long files, long lines). */
function closestLine(lines: readonly string[], wanted: readonly string[]): number | undefined {
  const first = wanted.map(squeezed).find((l) => l !== '');
  if (first === undefined || lines.length > 50_000) return undefined;
  const probe = first.slice(0, 300);
  let best: { line: number; cost: number } | undefined;
  lines.forEach((line, i) => {
    const cost = distance(probe, squeezed(line).slice(0, 300));
    if (best === undefined || cost < best.cost) best = { line: i + 1, cost };
  });
  // Nothing within half the line's length is not "close": better to say nothing is.
  return best !== undefined && best.cost <= probe.length / 2 ? best.line : undefined;
}
