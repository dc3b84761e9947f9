/**
 * How the local Jira keeps rich text: as plain text, turned into Atlassian Document Format for
 * REST v3 and given as it is (wiki text) for REST v2, the way Jira converts between the two.
 * Written apart from the plugin's converter, so that a bug there is not mirrored here.
 */

interface Node {
  type?: unknown;
  text?: unknown;
  content?: unknown;
}

/** Why a value is not an ADF document Jira would accept, or undefined when it is one. */
export function adfProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'expected an Atlassian Document';
  const doc = value as Node & { version?: unknown };
  if (doc.type !== 'doc' || doc.version !== 1 || !Array.isArray(doc.content))
    return 'expected {type: "doc", version: 1, content: [...]}';
  const check = (node: unknown, path: string): string | undefined => {
    if (typeof node !== 'object' || node === null || typeof (node as Node).type !== 'string')
      return `${path}: a node without a type`;
    const n = node as Node;
    if (n.type === 'text' && (typeof n.text !== 'string' || n.text === ''))
      return `${path}: a text node must have non-empty text`;
    if (n.content !== undefined && !Array.isArray(n.content))
      return `${path}: content must be a list`;
    const children = (n.content ?? []) as unknown[];
    for (const [i, child] of children.entries()) {
      const problem = check(child, `${path}.content[${i}]`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  for (const [i, block] of (doc.content as unknown[]).entries()) {
    const problem = check(block, `content[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** The text of a valid document: blocks on their own lines. */
export function adfText(value: unknown): string {
  const text = (node: Node): string =>
    node.type === 'text'
      ? String(node.text)
      : node.type === 'hardBreak'
        ? '\n'
        : ((node.content ?? []) as Node[]).map(text).join('');
  return ((value as Node).content as Node[]).map(text).join('\n');
}

export function textAdf(text: string) {
  return {
    type: 'doc',
    version: 1,
    content: text.split('\n').map((line) => ({
      type: 'paragraph',
      content: line === '' ? [] : [{ type: 'text', text: line }],
    })),
  };
}
