import { markdownText } from '../../plugins/markdown-text.js';

const ZERO_WIDTH_SPACE = '\u200B';
const WORD_JOINER = '\u2060';

/**
 * A model's text for a GitLab title, description or note: `markdownText` (no pings, HTML,
 * links, closing keywords), and GitLab's own active syntax made inert too —
 *
 * 1. quick actions: a line starting with `/` (`/merge`, `/approve`, `/assign @x`) is run with
 *    aidev's rights when GitLab saves the text, so every such line gets a zero-width space first;
 * 2. references to merge requests (`!12`), labels (`~bug`) and milestones (`%v1`) a word joiner
 *    after the sigil, so that they neither link nor notify.
 */
export function gitlabText(text: string): string {
  return gitlabInert(markdownText(text));
}

/** GitLab's own syntax made inert (1 and 2 above), for text that `commentBody` then makes safe. */
export function gitlabInert(text: string): string {
  return inertQuickActions(text)
    .replace(/(^|[^\w!])!(?=\d)/g, `$1!${WORD_JOINER}`)
    .replace(/(^|\s)([~%])(?=[\w"])/g, `$1$2${WORD_JOINER}`);
}

/** Every line that would start with `/` (after blanks) starts with a zero-width space instead. */
export function inertQuickActions(text: string): string {
  return text.replace(/^([ \t]*)\//gm, `$1${ZERO_WIDTH_SPACE}/`);
}
