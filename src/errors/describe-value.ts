const MAX_SHOWN = 80;

/** How a value is shown after "found" in an error message. Secrets are never shown. */
export function describeValue(value: unknown, options: { secret?: boolean } = {}): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (options.secret === true) {
    const length = typeof value === 'string' ? `${value.length}-character ` : '';
    return `a ${length}value (hidden because it is a secret)`;
  }
  if (typeof value === 'string') {
    if (value === '') return 'an empty string';
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length === 0
      ? 'an empty mapping'
      : `a mapping with keys ${keys.slice(0, 5).join(', ')}`;
  }
  return typeof value;
}
