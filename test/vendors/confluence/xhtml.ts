/**
 * A small well-formedness check for Confluence storage format, as Confluence does before it
 * saves a page ("Error parsing xhtml"): tags nest and close, attributes are quoted, `&` starts
 * an entity, and no raw `<` sits in text. It is no XML parser, but it catches what a missing
 * escape produces. Returns the first problem, or undefined.
 */
export function xhtmlProblem(xhtml: string): string | undefined {
  const open: string[] = [];
  const token =
    /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\/([A-Za-z][\w:.-]*)\s*>|<([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|<|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);|&/g;
  for (const match of xhtml.matchAll(token)) {
    const [text, closing, opening, attributes, selfClosing] = match;
    if (text === '<') return `unescaped "<" at ${match.index}`;
    if (text === '&') return `unescaped "&" at ${match.index}`;
    if (text.startsWith('&') && !entityIsKnown(text)) return `unknown entity ${text}`;
    if (closing !== undefined) {
      const expected = open.pop();
      if (expected !== closing)
        return `</${closing}> at ${match.index} closes <${expected ?? '(nothing)'}>`;
    } else if (opening !== undefined) {
      if (/[<>]/.test(attributes ?? '')) return `bad attribute in <${opening}>`;
      if (selfClosing !== '/') open.push(opening);
    }
  }
  const unclosed = open.pop();
  return unclosed === undefined ? undefined : `<${unclosed}> is never closed`;
}

/** XML's own entities and character references; Confluence also knows HTML's named ones. */
function entityIsKnown(entity: string): boolean {
  return /^&(amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9A-Fa-f]+);$/.test(entity);
}
