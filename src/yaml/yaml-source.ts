import {
  Scalar,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type YAMLError,
  type YAMLMap,
} from 'yaml';
import { formatPath, type Problem } from '../errors/problem.js';
import { checkYamlLimits, keyText, YAML_LIMITS, type YamlLimits } from './yaml-limits.js';

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
 * Parses YAML strictly: duplicate keys, `__proto__` keys, tab indentation, unknown tags and
 * dangling aliases are errors, and so is a file over the limits (size, keys, nesting, string
 * length), each reported with `file:line:col`. Every step is linear in the size of the file.
 */
export function parseYaml(text: string, file: string, limits: YamlLimits = YAML_LIMITS): YamlParse {
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes)
    return failure(
      file,
      `expected a file of at most ${kib(limits.maxBytes)} KiB, found ${kib(bytes)} KiB`,
    );
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // Duplicate keys are found by checkYamlLimits: the library's check is quadratic.
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: true });
  } catch (error) {
    // Nesting deep enough to exhaust the stack, before the depth limit could be checked.
    return failure(file, `invalid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const problems = [
    ...[...doc.errors, ...doc.warnings].map((issue) => ({
      offset: issue.pos[0],
      problem: yamlProblem(issue, file),
    })),
    ...checkYamlLimits(doc, limits).map((finding) => ({
      offset: finding.offset,
      problem: {
        where: at(file, lines, finding.offset),
        path: formatPath(finding.path),
        message: finding.message,
      },
    })),
  ];
  if (problems.length > 0)
    return {
      ok: false,
      problems: problems.sort((a, b) => a.offset - b.offset).map((p) => p.problem),
    };
  const source: YamlSource = { file, text, doc, lines };
  try {
    return { ok: true, source, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return failure(file, `invalid YAML: ${message}`);
  }
}

function failure(file: string, message: string): YamlParse {
  return { ok: false, problems: [{ where: `${file}:1:1`, path: '', message }] };
}

function kib(bytes: number): string {
  return Math.ceil(bytes / 1024).toLocaleString('en-US');
}

function at(file: string, lines: LineCounter, offset: number): string {
  const { line, col } = lines.linePos(offset);
  return `${file}:${line}:${col}`;
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
    const pair = keyIndex(node).get(String(segment));
    if (pair === undefined) return undefined;
    return { key: asNode(pair.key), value: asNode(pair.value) };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment];
    return item === undefined ? undefined : { key: null, value: asNode(item) };
  }
  return undefined;
}

type MapPair = YAMLMap['items'][number];

/**
 * Each mapping's pairs by key, built once: a file with many problems in one mapping is
 * located in linear time, not by searching the mapping for every problem.
 */
const keyIndexes = new WeakMap<YAMLMap, Map<string, MapPair>>();

function keyIndex(node: YAMLMap): Map<string, MapPair> {
  let index = keyIndexes.get(node);
  if (index === undefined) {
    index = new Map();
    for (const pair of node.items) {
      const key = keyText(pair);
      if (key !== undefined && !index.has(key)) index.set(key, pair);
    }
    keyIndexes.set(node, index);
  }
  return index;
}

function asNode(value: unknown): Node | null {
  return value !== null && typeof value === 'object' && 'range' in value ? (value as Node) : null;
}
