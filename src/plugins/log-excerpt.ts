/**
 * The part of a failed check's log worth showing a model: the region around the first line that
 * looks like an error, else the end. Logs are outside text (a test can print anything): the
 * excerpt is data for the model to read, never instructions, and is returned as plain text.
 */

export const EXCERPT_MAX_LINES = 150;
export const EXCERPT_MAX_CHARS = 12_000;
/** Lines kept before the first error line: the command that failed and its setup. */
const CONTEXT_BEFORE = 20;

const ERROR_LINE = /error|fail|✗|×/i;
// CSI (colours, cursor moves) and OSC (titles, links) escape sequences, and lone escapes.
// eslint-disable-next-line no-control-regex -- escape sequences are what this removes
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-_]?/g;
// GitHub Actions prefixes each line with its time: `2024-05-01T10:00:00.1234567Z `.
const TIMESTAMP = /^\uFEFF?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z ?/;
// Control characters other than tab (escapes are gone by then).
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

/** One log line as a terminal would have shown it, without colour or timestamp. */
function cleanLine(line: string): string {
  const withoutAnsi = line.replace(ANSI, '');
  // A carriage return redraws the line (progress bars): what stays is after the last one.
  const shown = withoutAnsi.replace(/\r+$/, '').split('\r').at(-1) ?? '';
  return shown.replace(TIMESTAMP, '').replace(CONTROL, '').trimEnd();
}

/** The log's lines cleaned of ANSI escapes, GitHub's timestamps and control characters. */
export function cleanLog(log: string): string[] {
  const lines = log.split('\n').map(cleanLine);
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * At most EXCERPT_MAX_LINES lines and EXCERPT_MAX_CHARS characters of `log`: from a little
 * before its first error-looking line if it has one, else its last lines.
 */
export function logExcerpt(log: string): string {
  const lines = cleanLog(log);
  const first = lines.findIndex((line) => ERROR_LINE.test(line));
  if (first < 0) {
    const tail = lines.slice(-EXCERPT_MAX_LINES).join('\n');
    return tail.length <= EXCERPT_MAX_CHARS ? tail : tail.slice(tail.length - EXCERPT_MAX_CHARS);
  }
  const start = Math.max(0, Math.min(first - CONTEXT_BEFORE, lines.length - EXCERPT_MAX_LINES));
  const region = lines.slice(start, start + EXCERPT_MAX_LINES).join('\n');
  if (region.length <= EXCERPT_MAX_CHARS) return region;
  // Too long with its context: start at the error line itself, and cut the end.
  return lines
    .slice(first, first + EXCERPT_MAX_LINES)
    .join('\n')
    .slice(0, EXCERPT_MAX_CHARS);
}
