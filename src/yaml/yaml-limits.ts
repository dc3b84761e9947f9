import { isMap, isNode, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

/**
 * Bounds on a YAML file, checked in one pass before it is turned into values, so that every
 * later step (schemas, name checks, locating problems) works on a document of bounded size.
 * Our files are workflows and settings written by people: a few kilobytes, a few dozen keys.
 */
export interface YamlLimits {
  readonly maxBytes: number;
  /** Keys of one mapping. */
  readonly maxKeys: number;
  /** Keys, values and list items of the whole file. */
  readonly maxNodes: number;
  /** How deep mappings and lists nest. */
  readonly maxDepth: number;
  /** Characters of one string. */
  readonly maxStringLength: number;
}

export const YAML_LIMITS: YamlLimits = {
  maxBytes: 128 * 1024,
  maxKeys: 1_000,
  maxNodes: 10_000,
  maxDepth: 32,
  maxStringLength: 64 * 1024,
};

/** A limit broken, or a duplicate or reserved key, at a source offset and field path. */
export interface YamlFinding {
  readonly offset: number;
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** More would only repeat themselves; the first ones say what to fix. */
const MAX_FINDINGS = 50;

interface Visit {
  readonly node: unknown;
  readonly path: readonly (string | number)[];
  readonly depth: number;
}

/**
 * Walks the document once, in linear time: each mapping's keys are compared through a Set
 * (the YAML library's own duplicate check compares every key with every other one), and a
 * mapping or list over a limit is reported without being walked into.
 */
export function checkYamlLimits(doc: Document.Parsed, limits: YamlLimits): YamlFinding[] {
  const findings: YamlFinding[] = [];
  const stack: Visit[] = [{ node: doc.contents, path: [], depth: 0 }];
  let nodes = 0;
  while (findings.length < MAX_FINDINGS) {
    const visit = stack.pop();
    if (visit === undefined) break;
    const { node, path, depth } = visit;
    if (!isNode(node)) continue;
    const found = (message: string) =>
      findings.push({ offset: node.range?.[0] ?? 0, path, message });
    nodes += 1;
    if (nodes > limits.maxNodes) {
      found(
        `expected at most ${count(limits.maxNodes)} keys, values and list items in the file, found more`,
      );
      break;
    }
    if (depth > limits.maxDepth) {
      found(`expected mappings and lists nested at most ${limits.maxDepth} deep, found deeper`);
      continue;
    }
    if (isScalar(node)) {
      if (typeof node.value === 'string' && node.value.length > limits.maxStringLength)
        found(
          `expected text of at most ${count(limits.maxStringLength)} characters, found ${count(node.value.length)}`,
        );
    } else if (isMap(node)) {
      if (node.items.length > limits.maxKeys) {
        found(
          `expected a mapping of at most ${count(limits.maxKeys)} keys, found ${count(node.items.length)} keys`,
        );
        continue;
      }
      stack.push(...mapChildren(node.items, path, depth, findings).reverse());
    } else if (isSeq(node)) {
      const items = node.items.map((item, i) => ({
        node: item,
        path: [...path, i],
        depth: depth + 1,
      }));
      stack.push(...items.reverse());
    }
  }
  return findings;
}

/** A mapping's keys and values to visit, noting duplicate keys and `__proto__` on the way. */
function mapChildren(
  pairs: readonly Pair[],
  path: readonly (string | number)[],
  depth: number,
  findings: YamlFinding[],
): Visit[] {
  const seen = new Set<string>();
  const children: Visit[] = [];
  for (const pair of pairs) {
    const key = keyText(pair);
    const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
    const at = [...path, key ?? '?'];
    // Keys are compared as the JavaScript object will see them: `1` and "1" are the same key.
    if (key !== undefined && seen.has(key))
      findings.push({ offset, path: [], message: 'invalid YAML: map keys must be unique' });
    if (key === '__proto__')
      findings.push({
        offset,
        path: at,
        message:
          'expected a key other than "__proto__", which JavaScript objects treat as their prototype',
      });
    if (key !== undefined) seen.add(key);
    children.push({ node: pair.key, path: at, depth: depth + 1 });
    children.push({ node: pair.value, path: at, depth: depth + 1 });
  }
  return children;
}

/** The key as a string, as it becomes a property name; undefined for a mapping or list key. */
export function keyText(pair: Pair): string | undefined {
  if (isScalar(pair.key)) {
    const value = pair.key.value;
    if (value === null || value === undefined) return '';
    if (typeof value === 'string') return value;
    const plain = typeof value === 'number' || typeof value === 'boolean';
    return plain || typeof value === 'bigint' ? String(value) : undefined;
  }
  return pair.key === null || pair.key === undefined ? '' : undefined;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
