/**
 * Lines numbered as `cat -n` shows them (the form Anthropic's text editor tool answers in, and
 * the one its models copy from): the number right-aligned in six columns, a tab, the line.
 */
export function numberLine(line: string, number: number): string {
  return `${String(number).padStart(6)}\t${line}`;
}

/** A text's lines; a final newline ends the last line rather than starting an empty one. */
export function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines `first`–`last` (1-based, inclusive) of `lines`, numbered. */
export function numbered(lines: readonly string[], first: number, last: number): string {
  const shown: string[] = [];
  for (let n = Math.max(1, first); n <= Math.min(lines.length, last); n++)
    shown.push(numberLine(lines[n - 1] ?? '', n));
  return shown.join('\n');
}

/** Lines of context shown around an edit. */
export const SNIPPET_CONTEXT = 4;

/** What an edit answers: the changed lines and a few around them, numbered as they are now. */
export function editSnippet(text: string, first: number, last: number, file: string): string {
  const lines = linesOf(text);
  const from = Math.max(1, first - SNIPPET_CONTEXT);
  const to = Math.min(lines.length, Math.max(first, last) + SNIPPET_CONTEXT);
  return `Here's the result of running \`cat -n\` on a snippet of ${file}:\n${numbered(lines, from, to)}`;
}
