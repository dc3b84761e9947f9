import {
  Scalar,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type YAMLError,
} from 'yaml';
import type { Problem } from '../errors/problem.js';

/** A parsed YAML file that remembers where every node came from. */
export interface YamlSource {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
}

export type YamlParse =
  | { readonly ok: true; readonly source: YamlSource; readonly value: unknown }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Parses YAML strictly: duplicate keys, tab indentation, unknown tags and dangling aliases are
 * errors, each reported with `file:line:col`.
 */
export function parseYaml(text: string, file: string): YamlParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: true });
  const issues = [...doc.errors, ...doc.warnings];
  if (issues.length > 0) {
    return { ok: false, problems: issues.map((issue) => yamlProblem(issue, file)) };
  }
  const source: YamlSource = { file, text, doc, lines };
  try {
    return { ok: true, source, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [{ where: `${file}:1:1`, path: '', message: `invalid YAML: ${message}` }],
    };
  }
}

function yamlProblem(issue: YAMLError, file: string): Problem {
  const start = issue.linePos?.[0];
  const where = start === undefined ? file : `${file}:${start.line}:${start.col}`;
  const firstLine = issue.message.split('\n')[0] ?? issue.message;
  const message = firstLine.replace(/ at line \d+, column \d+:?$/, '');
  return { where, path: '', message: `invalid YAML: ${lowerFirst(message)}` };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * `file:line:col` of the node at `path` — or of the key `key` inside it — falling back to the
 * deepest node that exists, so an error about a missing field points at its parent.
 */
export function locate(
  source: YamlSource,
  path: readonly PropertyKey[],
  key?: string,
  offset?: number,
): string {
  let node: Node | null = source.doc.contents;
  let anchor: Node | null = node;
  let complete = true;
  for (const segment of path) {
    const next = childOf(node, segment);
    if (next === undefined) {
      complete = false;
      break;
    }
    anchor = next.value ?? next.key ?? anchor;
    node = next.value;
  }
  if (complete && key !== undefined) {
    const pair = childOf(node, key);
    if (pair?.key != null) anchor = pair.key;
  }
  const start = anchor?.range?.[0] ?? 0;
  const within =
    complete && key === undefined && offset !== undefined
      ? offsetInScalar(source, anchor, offset)
      : 0;
  const { line, col } = source.lines.linePos(start + within);
  return `${source.file}:${line}:${col}`;
}

/**
 * Characters from a scalar's first source character to `offset` in its value: exact for
 * single-line plain and quoted scalars (the common case for expressions), else 0.
 */
function offsetInScalar(source: YamlSource, node: Node | null, offset: number): number {
  if (!isScalar(node) || node.range === undefined || node.range === null) return 0;
  const raw = source.text.slice(node.range[0], node.range[1]);
  if (raw.includes('\n')) return 0;
  if (node.type === Scalar.PLAIN) return offset;
  if (node.type === Scalar.QUOTE_SINGLE || node.type === Scalar.QUOTE_DOUBLE) {
    const body = raw.slice(1, 1 + offset + 1);
    return body.includes('\\') || body.includes("''") ? 1 : 1 + offset;
  }
  return 0;
}

interface Child {
  readonly key: Node | null;
  readonly value: Node | null;
}

function childOf(node: Node | null, segment: PropertyKey): Child | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item) === String(segment));
    if (pair === undefined) return undefined;
    return { key: asNode(pair.key), value: asNode(pair.value) };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: null, value: asNode(item) };
  }
  return undefined;
}

function keyText(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function asNode(value: unknown): Node | null {
  return value !== null && typeof value === 'object' && 'range' in value ? (value as Node) : null;
}
