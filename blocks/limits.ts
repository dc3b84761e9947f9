import type { Block, TextObject } from './types.js';

/** Slack's limits for what aidev posts (api.slack.com/reference/block-kit). */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  headerText: 150,
  buttonText: 75,
  contextElements: 10,
  messageText: 40_000,
} as const;

/**
 * Text cut to `max` characters, ending with an ellipsis (and a pointer) when cut. An escape
 * (`&lt;`, see slack-text.ts) is never cut in half: a broken one would show as `&l…`.
 */
export function fit(text: string, max: number, more = '…'): string {
  if (text.length <= max) return text;
  const kept = text.slice(0, Math.max(0, max - more.length)).replace(/&[a-z]{0,4}$/, '');
  return `${kept}${more}`;
}

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): TextObject => ({
  type: 'mrkdwn',
  text: fit(text, max),
});

export const plain = (text: string, max: number): TextObject => ({
  type: 'plain_text',
  text: fit(text, max),
  emoji: true,
});

export const section = (text: string, extra: Record<string, unknown> = {}): Block => ({
  type: 'section',
  text: mrkdwn(text),
  ...extra,
});

export const header = (text: string): Block => ({
  type: 'header',
  text: plain(text, LIMITS.headerText),
});

export const context = (...texts: string[]): Block => ({
  type: 'context',
  elements: texts.slice(0, LIMITS.contextElements).map((t) => mrkdwn(t)),
});

export const divider = (): Block => ({ type: 'divider' });

/**
 * At most 50 blocks: when there are more, the last kept block says how many were left out and
 * where to see everything.
 */
export function capBlocks(blocks: readonly Block[], elsewhere: string): Block[] {
  if (blocks.length <= LIMITS.blocksPerMessage) return [...blocks];
  const kept = blocks.slice(0, LIMITS.blocksPerMessage - 1);
  return [...kept, context(`…${blocks.length - kept.length} more: ${elsewhere}`)];
}

/**
 * Long text (a plan) as several sections of at most 3,000 characters each, split at line
 * ends, and at most `maxSections` of them; what does not fit is pointed to.
 */
export function longText(text: string, maxSections: number, elsewhere: string): Block[] {
  const sections: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current === '' ? line : `${current}\n${line}`;
    if (candidate.length <= LIMITS.sectionText - 100) current = candidate;
    else {
      if (current !== '') sections.push(current);
      current = fit(line, LIMITS.sectionText - 100);
    }
  }
  if (current !== '') sections.push(current);
  const kept = sections.slice(0, maxSections).map((s) => section(s));
  if (sections.length > maxSections)
    kept.push(context(`The plan is longer than a message holds: ${elsewhere}`));
  return kept;
}
