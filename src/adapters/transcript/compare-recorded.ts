/**
 * Where an actual request first differs from a recorded one, or undefined when it matches.
 * A recorded value `{ "$regex": "…", "text": "…" }` matches any string the expression finds a
 * match in (`text`, optional, is the value as recorded and `vary` a pattern of the parts that may change,
 * for messages), and `{ "$any": true }`
 * matches anything: that is how a recording tolerates what changes from run to run (a task
 * key, test durations).
 */
export interface Difference {
  readonly path: string;
  readonly recorded: unknown;
  readonly actual: unknown;
}

export function firstDifference(
  recorded: unknown,
  actual: unknown,
  path = '',
): Difference | undefined {
  if (isMatcher(recorded)) {
    if ('$any' in recorded) return undefined;
    const pattern = recorded.$regex;
    return typeof actual === 'string' &&
      typeof pattern === 'string' &&
      new RegExp(pattern).test(actual)
      ? undefined
      : { path, recorded, actual };
  }
  if (Array.isArray(recorded)) {
    if (!Array.isArray(actual)) return { path, recorded, actual };
    for (let i = 0; i < Math.max(recorded.length, actual.length); i++) {
      if (i >= recorded.length)
        return { path: `${path}[${i}]`, recorded: undefined, actual: actual[i] };
      if (i >= actual.length)
        return { path: `${path}[${i}]`, recorded: recorded[i], actual: undefined };
      const found = firstDifference(recorded[i], actual[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (recorded !== null && typeof recorded === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return { path, recorded, actual };
    const a = actual as Record<string, unknown>;
    const r = recorded as Record<string, unknown>;
    for (const key of new Set([...Object.keys(r), ...Object.keys(a)])) {
      const found = firstDifference(r[key], a[key], path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return Object.is(recorded, actual) ? undefined : { path, recorded, actual };
}

function isMatcher(value: unknown): value is { $regex?: unknown; $any?: unknown } {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    ('$regex' in value || '$any' in value)
  );
}

/** A value for a message: strings shortened around nothing, JSON otherwise. */
export function shown(value: unknown, max = 160): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
