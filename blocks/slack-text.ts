/**
 * Text for Slack's mrkdwn (message `text`, mrkdwn text objects), in two kinds kept apart:
 *
 * - Outside text — tracker fields, reviewers' feedback, model output, pull request titles,
 *   vendor errors, anything a workflow message carries — goes through `slackText`, the one
 *   escaping function. Slack reads `&`, `<` and `>` as control characters (docs.slack.dev,
 *   "Formatting text for app surfaces": replace them by `&amp;`, `&lt;`, `&gt;`), so once
 *   escaped, outside text can never form a `<!channel>`, `<@U…>`, `<#C…>`, `<!subteam^…>` or
 *   `<http://…|label>` sequence.
 * - Links and mentions aidev makes itself are built by `mention`, `channelLink`, `link` and
 *   `slackDate` below, which accept only well-formed ids and http(s) URLs and escape their
 *   labels with `slackText`.
 *
 * plain_text objects are not parsed for links or mentions, so they need none of this; aidev
 * puts only its own words (headers, button labels) in them.
 */

/** What of Slack's formatting outside text may use. */
export type Formatting =
  /** Names and titles, quoted feedback: marks show as themselves, no styling. */
  | 'neutral'
  /**
   * Messages that carry outside text (a plan, an error or budget message, a workflow's notify
   * message): their bold, code and lists render; links and mentions never form.
   */
  | 'keep';

const CONTROL: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Slack has no escape for its formatting marks, so in `neutral` text they become look-alikes
 * that Slack does not read as marks (`*x*` stays `∗x∗`, not bold): outside text cannot dress
 * itself as aidev's own bold status or a code span. An underscore inside a word (snake_case)
 * does not italicise in Slack and is kept.
 */
const MARKS: Readonly<Record<string, string>> = {
  '*': '\u2217', // ∗ asterisk operator
  '~': '\u223C', // ∼ tilde operator
  '`': '\u02CB', // ˋ modifier letter grave accent
  _: '\u02CD', // ˍ modifier letter low macron
};

/**
 * Outside text made safe for a Slack mrkdwn field: `&`, `<` and `>` escaped, so that no link,
 * mention or date sequence can form; the broadcast words `@channel`, `@here` and `@everyone`
 * broken by an invisible word joiner (Slack may link-ify bare names unless `verbatim`); in
 * `neutral` text (the default) formatting marks shown as themselves.
 */
export function slackText(text: string, formatting: Formatting = 'neutral'): string {
  let safe = text
    .replace(/[&<>]/g, (c) => CONTROL[c] ?? c)
    .replace(/@(channel|here|everyone)\b/gi, '@\u2060$1');
  if (formatting === 'neutral')
    safe = safe
      .replace(/[*~`]/g, (c) => MARKS[c] ?? c)
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, MARKS._ ?? '_');
  return safe;
}

/** A Slack user id: `U…` or `W…` (Enterprise Grid). */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
/** A Slack conversation id: public (`C…`), private (`G…`) or direct (`D…`). */
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** `<@U123>`, a mention aidev makes (an approver, who clicked); anything else is shown as text. */
export function mention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : slackText(userId);
}

/** Several mentions, comma-separated. */
export const mentions = (userIds: readonly string[]): string => userIds.map(mention).join(', ');

/** `<#C123>`, a channel aidev names; anything else is shown as text. */
export function channelLink(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : slackText(channelId);
}

/**
 * `<https://…|label>`, a link aidev makes (its pull request, its page). Only http(s) URLs
 * become links; the URL is normalised and its `|`, `<`, `>` percent-encoded so that it cannot
 * end the link early, and the label is escaped. Anything else is shown as text.
 */
export function link(url: string, label?: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return slackText(label === undefined ? url : `${label} (${url})`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return slackText(label === undefined ? url : `${label} (${url})`);
  const target = parsed.href
    .replace(/\|/g, '%7C')
    .replace(/</g, '%3C')
    .replace(/>/g, '%3E')
    .replace(/&/g, '&amp;');
  return label === undefined ? `<${target}>` : `<${target}|${slackText(label)}>`;
}

/** `<!date^…|fallback>`: a time in each reader's own zone, with an escaped fallback. */
export function slackDate(at: Date, fallback = at.toISOString()): string {
  const seconds = Math.floor(at.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${slackText(fallback)}>`;
}
