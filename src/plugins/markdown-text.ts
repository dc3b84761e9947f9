/**
 * Outside text (a model's pull request title and description, a vendor's error) for a body that
 * GitHub renders as Markdown. Every version_control plugin passes its titles and bodies through
 * `markdownText`, so the text keeps its headings, lists, code and bold, but cannot:
 *
 * - ping: `@user` and `@org/team` notify people with aidev's rights;
 * - carry HTML: `<img src=…>` fetches (and leaks) a URL, `<!-- … -->` hides text from reviewers,
 *   `<a href>` and `<https://…>` make links;
 * - dress a link or fetch an image: `[Approved](https://evil)`, `![](https://evil/?secret)`,
 *   reference definitions `[x]: https://…`;
 * - act on other issues: `Fixes #12` (or the URL) closes issue 12 when the pull request
 *   merges, `#12` and `GH-12` cross-reference it.
 *
 * Markdown has no escape that also works inside code spans (a backslash there shows), so each
 * sequence is broken by an invisible character where it would form: a zero-width space after
 * `<` and between `]` and `(`/`[`/`:`, a word joiner after `@` and `#`, and inside a closing
 * keyword before an issue's URL. What a reader sees is unchanged; bare URLs still autolink, showing where they go.
 */

const ZERO_WIDTH_SPACE = '\u200B';
const WORD_JOINER = '\u2060';

export function markdownText(text: string): string {
  return (
    text
      // An HTML tag, comment, declaration or autolink needs its name right after `<`.
      .replace(/<(?=[A-Za-z/!?])/g, `<${ZERO_WIDTH_SPACE}`)
      // A mention needs its name right after `@`.
      .replace(/@(?=[A-Za-z0-9_-])/g, `@${WORD_JOINER}`)
      // A link, image or reference needs `(`, `[` or `:` right after `]`.
      .replace(/\](?=[([:])/g, `]${ZERO_WIDTH_SPACE}`)
      // Issue references: #12, GH-12.
      .replace(/#(?=\d)/g, `#${WORD_JOINER}`)
      .replace(/\b(GH)-(?=\d)/gi, `$1${WORD_JOINER}-`)
      // A closing keyword before an issue's URL (before #12 the reference is already broken);
      // in prose ("Fix the rounding") the keyword is left alone.
      .replace(
        /\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?=:?\s+https?:\/\/)/gi,
        (word) => `${word.slice(0, 1)}${WORD_JOINER}${word.slice(1)}`,
      )
  );
}
