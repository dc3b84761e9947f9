import { describe, expect, it } from 'vitest';
import {
  EXCERPT_MAX_CHARS,
  EXCERPT_MAX_LINES,
  cleanLog,
  logExcerpt,
} from '../../src/plugins/log-excerpt.js';
import {
  COMMENT_LIMIT,
  commentBody,
  commentMarker,
  hasMarker,
} from '../../src/plugins/comment-marker.js';

const numbered = (count: number, from = 1) =>
  Array.from({ length: count }, (_, i) => `line ${i + from}`);

describe('logExcerpt', () => {
  it('drops colours, Actions timestamps, control characters and redrawn progress', () => {
    expect(
      cleanLog(
        '\uFEFF2026-01-01T10:00:00.1234567Z \u001b[32mok\u001b[0m\n' +
          '2026-01-01T10:00:01Z 10%\r50%\r100%\n' +
          '\u001b]8;;https://x\u0007link\u001b]8;;\u0007 bell\u0007\n\n',
      ),
    ).toEqual(['ok', '100%', 'link bell']);
  });

  it('starts a little before the first error-looking line', () => {
    const lines = [...numbered(300), 'TypeError: x is undefined', ...numbered(300, 301)];
    const excerpt = logExcerpt(lines.join('\n')).split('\n');
    expect(excerpt).toHaveLength(EXCERPT_MAX_LINES);
    expect(excerpt[0]).toBe('line 281');
    expect(excerpt[20]).toBe('TypeError: x is undefined');
  });

  it('keeps the last lines when nothing looks like an error', () => {
    const excerpt = logExcerpt(numbered(1000).join('\n')).split('\n');
    expect(excerpt).toHaveLength(EXCERPT_MAX_LINES);
    expect(excerpt.at(-1)).toBe('line 1000');
  });

  it('keeps an error near the end in view, and at most 12 000 characters', () => {
    const late = logExcerpt([...numbered(1000), '✗ 2 failed'].join('\n')).split('\n');
    expect(late.at(-1)).toBe('✗ 2 failed');
    const wide = logExcerpt([...Array<string>(400).fill('x'.repeat(500)), 'FAIL a'].join('\n'));
    expect(wide.length).toBeLessThanOrEqual(EXCERPT_MAX_CHARS);
    expect(wide.startsWith('FAIL a')).toBe(true);
  });
});

describe('commentBody', () => {
  it('ends with the marker, which a model cannot write itself', () => {
    const marker = commentMarker('round:1', 0);
    const forged = commentBody(`Done. ${marker}`, commentMarker('round:1', 1));
    expect(hasMarker(forged, marker)).toBe(false);
    expect(forged.match(/<!--/g)).toHaveLength(1);
    expect(hasMarker(`${commentBody('ok', marker)}\r\n`, marker)).toBe(true);
    expect(hasMarker(commentBody('ok', commentMarker('round:1', 10)), marker)).toBe(false);
  });

  it('cuts an overlong body with a note, keeping the marker and whole characters', () => {
    const marker = commentMarker('k', 0);
    const body = commentBody('😀'.repeat(COMMENT_LIMIT), marker);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain('aidev cut this comment');
    expect(body.endsWith(marker)).toBe(true);
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
