import { formatPath } from '../../errors/problem.js';
import type { FieldError, FieldLocation } from '../problem.js';

/**
 * Levels of nesting any request input may have. The deepest shape the API takes is a few levels
 * (settings, workflow inputs); this leaves room for structured inputs while refusing the
 * thousands of levels that overflow recursive code and the database's JSON parser.
 */
export const MAX_INPUT_DEPTH = 32;

/** Problems reported at most per request part: one bad field repeated 10,000 times is one. */
const MAX_REPORTED = 10;

interface Pending {
  readonly value: unknown;
  readonly path: readonly PropertyKey[];
  readonly depth: number;
}

/** Half of a UTF-16 surrogate pair without its other half: JSON allows it, Unicode does not. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * What every request input must be before any route looks at it, whatever its schema: text
 * without NUL bytes and in well-formed Unicode (PostgreSQL stores neither a NUL nor a lone
 * surrogate, so either would surface as a server fault), in values and in keys, and no nesting
 * deeper than `MAX_INPUT_DEPTH`. Walks with its own stack, so that the check itself cannot
 * overflow on the input it guards against.
 */
export function guardInput(value: unknown, location: FieldLocation): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Pending[] = [{ value, path: [], depth: 0 }];
  while (stack.length > 0 && errors.length < MAX_REPORTED) {
    const { value: current, path, depth } = stack.pop() as Pending;
    if (typeof current === 'string') {
      const found = unstorable(current);
      if (found !== undefined)
        errors.push({
          path: formatPath(path),
          in: location,
          message: `expected ${TEXT}, found ${found}`,
        });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      errors.push({
        path: formatPath(path),
        in: location,
        message: `expected at most ${MAX_INPUT_DEPTH} levels of nesting, found more`,
      });
      continue;
    }
    const entries: [PropertyKey, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [index, item])
      : Object.entries(current);
    // Pushed last to first, so that problems come out in the order of the input.
    for (const [key, item] of entries.reverse()) {
      const itemPath = [...path, key];
      const found = typeof key === 'string' ? unstorable(key) : undefined;
      if (found !== undefined)
        errors.push({
          path: formatPath(path),
          in: location,
          message: `expected keys ${TEXT}, found ${found} in the key ${JSON.stringify(String(key).slice(0, 40))}`,
        });
      else stack.push({ value: item, path: itemPath, depth: depth + 1 });
    }
  }
  return errors;
}

const TEXT = 'text without NUL bytes (\\u0000), in well-formed Unicode';

/** What in a piece of text the database cannot store, or undefined when it can store it all. */
function unstorable(text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return `a NUL byte at character ${nul + 1}`;
  const lone = LONE_SURROGATE.exec(text);
  if (lone !== null)
    return `a lone surrogate (\\u${lone[0].charCodeAt(0).toString(16)}) at character ${lone.index + 1}`;
  return undefined;
}
