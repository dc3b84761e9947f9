import { markdownText } from './markdown-text.js';

/**
 * Exactly-once comments: each comment aidev posts ends with a hidden marker naming the caller's
 * key and the comment's place in the batch, `<!-- aidev:round:42:0 -->`. Before posting, a
 * plugin looks for a comment already ending with it (an earlier attempt's) and returns that one.
 * The body itself goes through `markdownText`, so a model cannot write a marker (nor any other
 * HTML comment) of its own.
 */
export function commentMarker(key: string, index: number): string {
  return `<!-- aidev:${key}:${index} -->`;
}

/** Whether `body` is the comment that carries `marker` (GitHub may turn \n into \r\n). */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  return (body ?? '').trimEnd().endsWith(marker);
}

/** GitHub refuses a comment body over 65 536 characters; aidev keeps some room under it. */
export const COMMENT_LIMIT = 65_000;

/**
 * A model's text as a comment body: made inert (`markdownText`), cut to fit `limit` with a note
 * saying so, and ended by the marker.
 */
export function commentBody(text: string, marker: string, limit = COMMENT_LIMIT): string {
  const safe = markdownText(text);
  const room = limit - marker.length - 2;
  if (safe.length <= room) return `${safe}\n\n${marker}`;
  const note = `\n\n_(aidev cut this comment: it was ${safe.length} characters, over the limit of ${limit}.)_`;
  let cut = safe.slice(0, Math.max(0, room - note.length - 1));
  // Never leave half of a surrogate pair at the cut.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…${note}\n\n${marker}`;
}
