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

/**
 * What every request input must be before any route looks at it, whatever its schema: no text
 * with a NUL byte (PostgreSQL cannot store one, so it would surface as a server fault), in
 * values and in keys, and no nesting deeper than `MAX_INPUT_DEPTH`. Walks with its own stack,
 * so that the check itself cannot overflow on the input it guards against.
 */
export function guardInput(value: unknown, location: FieldLocation): FieldError[] {
  const errors: FieldError[] = [];
  const stack: Pending[] = [{ value, path: [], depth: 0 }];
  while (stack.length > 0 && errors.length < MAX_REPORTED) {
    const { value: current, path, depth } = stack.pop() as Pending;
    if (typeof current === 'string') {
      const at = current.indexOf('\u0000');
      if (at >= 0) errors.push(nulError(path, location, at));
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
      if (typeof key === 'string' && key.includes('\u0000'))
        errors.push({
          path: formatPath(path),
          in: location,
          message: `expected keys without NUL bytes (\\u0000), found ${JSON.stringify(key.slice(0, 40))}`,
        });
      else stack.push({ value: item, path: itemPath, depth: depth + 1 });
    }
  }
  return errors;
}

function nulError(path: readonly PropertyKey[], location: FieldLocation, at: number): FieldError {
  return {
    path: formatPath(path),
    in: location,
    message: `expected text without NUL bytes (\\u0000), found one at character ${at + 1}`,
  };
}
