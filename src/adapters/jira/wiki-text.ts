/**
 * Outside text (a model's task description, a workflow's comment) as Jira Server's wiki markup,
 * where it would otherwise be markup: `[~admin]` mentions, `[Approved|https://evil]` links,
 * `!https://evil/pixel.png!` images and `{html}` macros. Jira escapes a special character with
 * a backslash, so `[`, `{` and `!` get one; a backslash of the text itself is followed by a
 * zero-width space, so that it can neither escape our escape nor form a `\\` line break.
 */
export function wikiText(text: string): string {
  return text.replace(/\\/g, '\\\u200B').replace(/[[{!]/g, (c) => `\\${c}`);
}
