import { describe, expect, it } from 'vitest';
import { insertAt, replaceOnce, type Edited } from '../../../src/agents/tools/editor-edits.js';

// The edits the text editor makes, on text alone: what a model asks, right and wrong.

const TABS = 'function f() {\n\tif (x) {\n\t\treturn 1;\n\t}\n}\n';

/** The refusal an edit throws: an edit_refused StepError whose message is the model's answer. */
function refusal(edit: () => Edited): string {
  let thrown: unknown;
  try {
    edit();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toMatchObject({ name: 'StepError', code: 'edit_refused' });
  return (thrown as Error).message;
}

describe('replaceOnce', () => {
  it('replaces the one occurrence and says which lines the new text spans', () => {
    expect(replaceOnce(TABS, '\t\treturn 1;', '\t\tconst y = 2;\n\t\treturn y;', 'f.ts')).toEqual({
      text: 'function f() {\n\tif (x) {\n\t\tconst y = 2;\n\t\treturn y;\n\t}\n}\n',
      firstLine: 3,
      lastLine: 4,
    });
  });

  it('deletes the text when new_str is empty', () => {
    expect(replaceOnce('a\nb\nc\n', 'b\n', '', 'f.txt')).toEqual({
      text: 'a\nc\n',
      firstLine: 2,
      lastLine: 2,
    });
  });

  it('takes $ patterns in new_str literally (no String.replace specials)', () => {
    expect(replaceOnce('price = 1;\n', '1', "$&$1$$$'", 'f.ts').text).toBe("price = $&$1$$$';\n");
  });

  it('refuses an old_str that occurs several times, with the lines where it starts', () => {
    const message = refusal(() => replaceOnce('a();\nb();\na();\n', 'a();', 'c();', 'twice.ts'));
    expect(message).toBe(
      'old_str occurs 2 times in twice.ts, starting at lines 1, 3; include more of the surrounding lines so that it matches exactly once',
    );
  });

  it('names each line once when old_str occurs several times on one line', () => {
    const message = refusal(() => replaceOnce(TABS, '\t', '  ', 'f.ts'));
    expect(message).toContain('occurs 4 times in f.ts, starting at lines 2, 3, 4;');
  });

  it('keeps a long list of places short', () => {
    const text = 'x\n'.repeat(30);
    expect(refusal(() => replaceOnce(text, 'x', 'y', 'f.txt'))).toContain(
      'occurs 30 times in f.txt, starting at lines 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, …;',
    );
  });

  it('refuses an empty old_str, and one that changes nothing', () => {
    expect(refusal(() => replaceOnce(TABS, '', 'x', 'f.ts'))).toContain(
      'old_str is empty; give the exact text to replace',
    );
    expect(refusal(() => replaceOnce(TABS, 'if (x)', 'if (x)', 'f.ts'))).toBe(
      'new_str is the same as old_str: nothing would change',
    );
  });

  it('shows the lines that differ only by whitespace, as JSON strings, when the file indents with tabs', () => {
    const message = refusal(() =>
      replaceOnce(TABS, '  if (x) {\n    return 1;', '  if (y) {\n    return 2;', 'f.ts'),
    );
    expect(message).toBe(
      [
        'old_str is not in f.ts exactly, but lines 2–3 match it when whitespace is ignored: their whitespace differs (the file indents with tabs, old_str with spaces). Here they are as JSON strings, so that tabs (\\t) and spaces show; copy them exactly:',
        '     2\t"\\tif (x) {"',
        '     3\t"\\t\\treturn 1;"',
      ].join('\n'),
    );
  });

  it('points out a difference in spacing inside a line, or trailing spaces', () => {
    const text = 'const a  =  1;   \nconst b = 2;\n';
    const message = refusal(() => replaceOnce(text, 'const a = 1;', 'const a = 3;', 'f.ts'));
    expect(message).toContain('but lines 1–1 match it when whitespace is ignored');
    expect(message).not.toContain('indents with tabs');
    expect(message).toContain('     1\t"const a  =  1;   "');
  });

  it('says when old_str carries the line numbers of a view', () => {
    const message = refusal(() =>
      replaceOnce(TABS, '     2\tif (x) {\n     3\t\treturn 1;', 'x', 'f.ts'),
    );
    expect(message).toContain('it seems to include the line numbers of a view');
  });

  it('shows the closest line, with the lines around it, for a typo', () => {
    const message = refusal(() => replaceOnce(TABS, 'retrun 1;', 'return 2;', 'f.ts'));
    expect(message).toBe(
      [
        'old_str is not in f.ts; view it again and copy the lines exactly, whitespace included, without the line numbers. The closest line is 3:',
        '     1\tfunction f() {',
        '     2\t\tif (x) {',
        '     3\t\t\treturn 1;',
        '     4\t\t}',
        '     5\t}',
      ].join('\n'),
    );
  });

  it('names no line when nothing is close', () => {
    expect(refusal(() => replaceOnce(TABS, 'zzzzqqqqwwww', 'x', 'f.ts'))).toBe(
      'old_str is not in f.ts; view the file and copy the lines to replace exactly, whitespace included, without the line numbers',
    );
  });

  it('matches a file with CRLF line ends with an old_str of plain newlines, and keeps CRLF', () => {
    expect(
      replaceOnce('one\r\ntwo\r\nthree\r\n', 'two\nthree', 'TWO\nTHREE\nfour', 'f.txt'),
    ).toEqual({ text: 'one\r\nTWO\r\nTHREE\r\nfour\r\n', firstLine: 2, lastLine: 4 });
  });

  it('stays bounded on a huge file with no match', () => {
    const text = 'some line of code\n'.repeat(100_000);
    expect(refusal(() => replaceOnce(text, 'other', 'x', 'big.ts'))).toContain(
      'old_str is not in big.ts',
    );
  });
});

describe('insertAt', () => {
  it('inserts after a line, at the top, and after the last line', () => {
    expect(insertAt('a\nb\n', 1, 'x', 'f')).toEqual({
      text: 'a\nx\nb\n',
      firstLine: 2,
      lastLine: 2,
    });
    expect(insertAt('a\nb\n', 0, 'x\ny\n', 'f')).toEqual({
      text: 'x\ny\na\nb\n',
      firstLine: 1,
      lastLine: 2,
    });
    expect(insertAt('a\nb\n', 2, 'c\n', 'f')).toEqual({
      text: 'a\nb\nc\n',
      firstLine: 3,
      lastLine: 3,
    });
  });

  it('keeps a file without a final newline without one, and CRLF files in CRLF', () => {
    expect(insertAt('a\nb', 2, 'c', 'f').text).toBe('a\nb\nc');
    expect(insertAt('a\r\nb\r\n', 1, 'x\ny\n', 'f').text).toBe('a\r\nx\r\ny\r\nb\r\n');
  });

  it('fills an empty file', () => {
    expect(insertAt('', 0, 'first\n', 'f')).toEqual({ text: 'first\n', firstLine: 1, lastLine: 1 });
  });

  it('refuses a line beyond the end, or before the start, saying which lines there are', () => {
    expect(refusal(() => insertAt('a\nb\n', 3, 'x', 'f.txt'))).toBe(
      'insert_line 3 is not a line of f.txt: give 0 (insert at the top) to 2 (after the last line)',
    );
    expect(refusal(() => insertAt('', 1, 'x', 'empty.txt'))).toContain(
      'give 0 (insert at the top) to 0 (after the last line)',
    );
    expect(refusal(() => insertAt('a\n', -1, 'x', 'f.txt'))).toContain('insert_line -1');
    expect(refusal(() => insertAt('a\n', 0.5, 'x', 'f.txt'))).toContain('insert_line 0.5');
  });
});
