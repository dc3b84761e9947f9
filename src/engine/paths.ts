export type PathSegment = string | number;

/** Names that would reach into JavaScript's object machinery; never valid as a name or field. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'valueOf',
  'toLocaleString',
]);

export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_NAMES.has(name);
}

/** A value a workflow asked for is not in the run context. */
export class MissingValueError extends Error {
  constructor(
    readonly expression: string,
    readonly path: readonly PathSegment[],
    /** How many segments of `path` were found before the missing one. */
    readonly found: number,
    /** The fields that do exist where the missing one was expected. */
    readonly available: readonly string[],
  ) {
    const where = formatSegments(path.slice(0, found + 1));
    const hint = available.length > 0 ? ` (there: ${available.slice(0, 12).join(', ')})` : '';
    super(`no value at ${where}${hint}`);
    this.name = 'MissingValueError';
  }
}

export function formatSegments(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** Reads own properties only: a path can never reach a prototype or a function. */
export function readPath(root: unknown, path: readonly PathSegment[], expression: string): unknown {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as PathSegment;
    const next = child(current, segment);
    if (next === NOT_FOUND) {
      throw new MissingValueError(expression, path, i, availableKeys(current));
    }
    current = next;
  }
  return current;
}

const NOT_FOUND = Symbol('not found');

function child(value: unknown, segment: PathSegment): unknown {
  if (Array.isArray(value)) {
    return typeof segment === 'number' && segment >= 0 && segment < value.length
      ? (value[segment] as unknown)
      : NOT_FOUND;
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof segment === 'string' &&
    !RESERVED_NAMES.has(segment)
  ) {
    return Object.hasOwn(value, segment) ? (value as Record<string, unknown>)[segment] : NOT_FOUND;
  }
  return NOT_FOUND;
}

function availableKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : [`[0]..[${value.length - 1}]`];
  return value !== null && typeof value === 'object' ? Object.keys(value) : [];
}

/** Sets `path` inside `target`, creating plain objects on the way; refuses reserved names. */
export function assignPath(
  target: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): void {
  let current = target;
  path.forEach((segment, index) => {
    if (!isPlainIdentifier(segment)) throw new Error(`refusing to assign to ${segment}`);
    if (index === path.length - 1) {
      current[segment] = value;
      return;
    }
    const next = current[segment];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) current[segment] = {};
    current = current[segment] as Record<string, unknown>;
  });
}
