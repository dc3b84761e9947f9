/**
 * Plain text to and from the Atlassian Document Format that Jira Cloud's REST v3 takes and
 * returns for descriptions and comments. aidev's tasks carry plain text, so only the text
 * survives: marks, links and layout are dropped on the way in and out.
 */

// Type aliases rather than interfaces: jira.js's model types have index signatures, which
// only aliases satisfy implicitly.
export type AdfDocument = {
  type: 'doc';
  version: 1;
  content: AdfNode[];
};

export type AdfNode = {
  type: string;
  text?: string;
  attrs?: Record<string, unknown>;
  content?: AdfNode[];
};

/** One paragraph per line (ADF has no empty text nodes, so an empty line is an empty paragraph). */
export function textToAdf(text: string): AdfDocument {
  return {
    type: 'doc',
    version: 1,
    content: text
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((line) => ({
        type: 'paragraph',
        content: line === '' ? [] : [{ type: 'text', text: line }],
      })),
  };
}

/** Block nodes: each starts on a new line when read back as text. */
const BLOCKS = new Set([
  'paragraph',
  'heading',
  'codeBlock',
  'blockquote',
  'bulletList',
  'orderedList',
  'listItem',
  'panel',
  'rule',
  'table',
  'tableRow',
  'tableCell',
  'tableHeader',
  'mediaSingle',
  'mediaGroup',
  'expand',
  'nestedExpand',
  'decisionList',
  'decisionItem',
  'taskList',
  'taskItem',
]);

/** The text of an ADF document (or of any node), one line per block; non-documents give ''. */
export function adfToText(value: unknown): string {
  if (!isNode(value)) return '';
  const lines: string[] = [];
  let current = '';
  const flush = () => {
    lines.push(current);
    current = '';
  };
  const walk = (node: AdfNode, top: boolean) => {
    switch (node.type) {
      case 'text':
        current += node.text ?? '';
        return;
      case 'hardBreak':
        flush();
        return;
      case 'mention':
      case 'emoji':
      case 'status':
      case 'date':
        current += stringAttr(node, 'text') ?? stringAttr(node, 'shortName') ?? '';
        return;
      case 'inlineCard':
        current += stringAttr(node, 'url') ?? '';
        return;
    }
    const block = BLOCKS.has(node.type);
    const children = (node.content ?? []).filter(isNode);
    const hasBlocks = children.some((child) => BLOCKS.has(child.type));
    if (node.type === 'listItem' && current === '') current = '- ';
    for (const child of children) walk(child, false);
    // A block that holds only inline content ends a line; a container of blocks does not.
    if ((block && !hasBlocks) || (top && current !== '')) flush();
  };
  if (value.type === 'doc')
    for (const child of (value.content ?? []).filter(isNode)) walk(child, true);
  else walk(value, true);
  if (current !== '') flush();
  return lines.join('\n');
}

function isNode(value: unknown): value is AdfNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

function stringAttr(node: AdfNode, name: string): string | undefined {
  const value = node.attrs?.[name];
  return typeof value === 'string' ? value : undefined;
}
