import { TEMPLATE_HEADINGS, type DocTemplate } from '../../plugins/doc-templates.js';

/**
 * Pages in Confluence's storage format (XHTML). Confluence refuses a body that is not
 * well-formed XML, and a body that is well-formed but unescaped is worse (an agent's text with
 * `<script>` in it would become markup), so every piece of text goes through `escapeXml`.
 */

/** Whether XML 1.0 allows this code point at all (no escape can carry the others). */
function isXmlChar(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    code >= 0x10000
  );
}

/** Drops what XML cannot hold: control characters and unpaired surrogates. */
function xmlChars(text: string): string {
  let kept = '';
  // Iterating a string yields code points; a lone surrogate comes out alone and is dropped.
  for (const char of text) if (isXmlChar(char.codePointAt(0) ?? 0)) kept += char;
  return kept;
}

/** Text as XHTML character data (also safe inside a double- or single-quoted attribute). */
export function escapeXml(text: string): string {
  return xmlChars(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** One line's inline Markdown: `code` and **bold**; everything else is plain text. */
function inline(text: string): string {
  // Split out code spans first: nothing inside backticks is formatting.
  return text
    .split(/(`[^`]+`)/)
    .map((part, index) =>
      index % 2 === 1
        ? `<code>${escapeXml(part.slice(1, -1))}</code>`
        : escapeXml(part).replace(/\*\*(?=\S)(.+?)(?<=\S)\*\*/g, '<strong>$1</strong>'),
    )
    .join('');
}

/** A fenced block as Confluence's code macro; CDATA cannot contain `]]>`, so it is split. */
function codeMacro(language: string, code: string): string {
  const body = xmlChars(code).replaceAll(']]>', ']]]]><![CDATA[>');
  const lang =
    language === '' ? '' : `<ac:parameter ac:name="language">${escapeXml(language)}</ac:parameter>`;
  return `<ac:structured-macro ac:name="code">${lang}<ac:plain-text-body><![CDATA[${body}]]></ac:plain-text-body></ac:structured-macro>`;
}

const FENCE = /^\s*(```|~~~)\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || BULLET.test(line) || NUMBERED.test(line);
}

/**
 * The Markdown-ish text agents write, as storage XHTML: paragraphs (blank lines), line breaks,
 * `#` headings, `-`/`1.` lists, fenced code and inline `code`/**bold**. Anything else stays
 * text, escaped: the page may look plain, but it is never broken.
 */
export function markdownToStorage(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  const at = (n: number) => lines[n] ?? '';
  while (i < lines.length) {
    const line = at(i);
    const fence = FENCE.exec(line);
    const heading = HEADING.exec(line);
    if (line.trim() === '') {
      i += 1;
    } else if (fence !== null) {
      const code: string[] = [];
      for (
        i += 1;
        i < lines.length &&
        !at(i)
          .trim()
          .startsWith(fence[1] ?? '```');
        i += 1
      )
        code.push(at(i));
      i += 1; // the closing fence (or the end of the text)
      out.push(codeMacro(fence[2] ?? '', code.join('\n')));
    } else if (heading !== null) {
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
      i += 1;
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const pattern = BULLET.test(line) ? BULLET : NUMBERED;
      const items: string[] = [];
      for (; i < lines.length && pattern.test(at(i)); i += 1)
        items.push(`<li>${inline(pattern.exec(at(i))?.[1] ?? '')}</li>`);
      const tag = pattern === BULLET ? 'ul' : 'ol';
      out.push(`<${tag}>${items.join('')}</${tag}>`);
    } else {
      const paragraph: string[] = [];
      for (; i < lines.length && at(i).trim() !== '' && !startsBlock(at(i)); i += 1)
        paragraph.push(inline(at(i).trim()));
      out.push(`<p>${paragraph.join('<br />')}</p>`);
    }
  }
  return out.join('');
}

/** A whole page body: the template's heading, the content, and who wrote it when. */
export function renderStoragePage(
  template: DocTemplate,
  page: { content: string; runId: string; date: Date },
): string {
  const heading = TEMPLATE_HEADINGS[template];
  return [
    heading === '' ? '' : `<h2>${escapeXml(heading)}</h2>`,
    markdownToStorage(page.content),
    '<hr />',
    `<p><em>Written by aidev (run ${escapeXml(page.runId)}) on ${page.date.toISOString().slice(0, 10)}.</em></p>`,
  ].join('');
}
