/**
 * What an attacker puts in every outside field, and how a test finds what Slack would parse.
 * Slack parses `<…>` in a message's `text` and in mrkdwn text objects: `<!channel>` pings the
 * channel, `<!subteam^…>` a user group, `<@U…>` a person, `<#C…>` links a channel and
 * `<http://…|label>` shows any label for any URL.
 */
export const HOSTILE =
  '<!channel> <!here> <!subteam^S0EVIL|@devs> <@U0EVIL> <#C0EVIL> <http://evil.example|Pull request> *x* @channel';

/** The task title of the before/after excerpt. */
export const HOSTILE_TITLE = '<!channel> <http://evil.example|Pull request> *x*';

/** Every `text` string in a message, view or block list (what Slack renders), recursively. */
export function renderedTexts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null)
      for (const [key, inner] of Object.entries(node))
        if (key === 'text' && typeof inner === 'string') texts.push(inner);
        else walk(inner);
  };
  walk(value);
  return texts;
}

/** The `<…>` sequences Slack would parse in `value`'s texts that none of `ours` accounts for. */
export function foreignSequences(value: unknown, ours: readonly RegExp[] = []): string[] {
  return renderedTexts(value)
    .flatMap((text) => text.match(/<[^<>]*>/g) ?? [])
    .filter((sequence) => !ours.some((pattern) => pattern.test(sequence)));
}

/** Sequences aidev itself makes: a mention of a real user id, a date, its own links. */
export const aidevMade = (users: readonly string[], linkHosts: readonly string[] = []) => [
  ...users.map((u) => new RegExp(`^<@${u}>$`)),
  /^<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>$/,
  ...linkHosts.map(
    (host) => new RegExp(`^<https?://${host.replace(/\./g, '\\.')}[/:][^|<>]*(\\|[^<>]*)?>$`),
  ),
];
