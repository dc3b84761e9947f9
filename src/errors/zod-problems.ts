import { z } from 'zod';
import { describeValue } from './describe-value.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { formatPath, type Problem } from './problem.js';

type Path = readonly PropertyKey[];
type Issue = z.core.$ZodIssue;

export interface ZodProblemOptions {
  /** Where a field path (or, for unknown keys, the key itself) sits in the source file. */
  readonly locate?: (path: Path, key?: string) => string | undefined;
  /** Whether the value at this path is a secret that must never be printed. */
  readonly isSecret?: (path: Path) => boolean;
  /** Turns a path into the name a person knows it by (default `a.b[2].c`). */
  readonly formatPath?: (path: Path) => string;
  /** The schema that produced the error: lets unknown-key errors list the allowed keys. */
  readonly schema?: z.ZodType;
}

export type ParseOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Parses and, on failure, returns every problem at once in the form people act on. */
export function parseWithProblems<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: Omit<ZodProblemOptions, 'schema'> = {},
): ParseOutcome<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: zodProblems(result.error, { ...options, schema }) };
}

/** A problem found by zod, before it is given a location: the raw field path, and the key for unknown keys. */
export interface FieldIssue {
  readonly path: readonly PropertyKey[];
  readonly key?: string;
  readonly message: string;
}

/** Every issue of a zod error, phrased as "expected …, found …". */
export function describeZodError(
  error: z.ZodError,
  options: Pick<ZodProblemOptions, 'isSecret' | 'schema'> = {},
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = options.schema === undefined ? [] : objectKeysAt(options.schema, issue.path);
      const allowedText = allowed.length > 0 ? `; allowed keys: ${allowed.join(', ')}` : '';
      for (const key of issue.keys) {
        issues.push({
          path: [...issue.path, key],
          key,
          message: `unknown key${didYouMeanSuffix(key, allowed)}${allowedText}`,
        });
      }
    } else {
      const secret = options.isSecret?.(issue.path) ?? false;
      const expected = expectation(issue);
      // A schema may say what it found itself (a key's kind, never the key): kept as it is.
      const message = /^expected .*, found /s.test(expected)
        ? expected
        : `${expected}, found ${describeValue(issue.input, { secret })}`;
      issues.push({ path: issue.path, message });
    }
  }
  return issues;
}

export function zodProblems(error: z.ZodError, options: ZodProblemOptions = {}): Problem[] {
  const format = options.formatPath ?? formatPath;
  return describeZodError(error, options).map((issue) => {
    const parent = issue.key === undefined ? issue.path : issue.path.slice(0, -1);
    const where = options.locate?.(parent, issue.key);
    const problem: Problem = { path: format(issue.path), message: issue.message };
    return where === undefined ? problem : { ...problem, where };
  });
}

/** Our schemas phrase their own messages as "expected …"; zod's defaults are rephrased. */
function expectation(issue: Issue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}`;
    case 'too_small':
      return `expected ${bound(issue.origin, 'at least', 'more than', issue.minimum, issue.inclusive)}`;
    case 'too_big':
      return `expected ${bound(issue.origin, 'at most', 'less than', issue.maximum, issue.inclusive)}`;
    case 'invalid_value':
      return `expected ${issue.values.length === 1 ? '' : 'one of '}${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `expected ${formatName(issue.format)}`;
    case 'not_multiple_of':
      return `expected a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'unrecognized_keys':
    case 'custom':
      return `expected a valid value (${issue.message})`;
  }
}

function article(expected: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
  };
  return names[expected] ?? expected;
}

function bound(
  origin: string,
  inclusiveWord: string,
  exclusiveWord: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
): string {
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  const n = String(limit);
  if (origin === 'string') return `${word} ${n} characters`;
  if (origin === 'array' || origin === 'set') return `${word} ${n} items`;
  return `a number ${word} ${n}`;
}

function formatName(format: string): string {
  const names: Record<string, string> = {
    email: 'an email address',
    url: 'a URL',
    uuid: 'a UUID',
    regex: 'a value in the documented format',
  };
  return names[format] ?? `a value in ${format} format`;
}

/** The keys an object schema accepts at `path`, looking through wrappers. */
export function objectKeysAt(schema: z.ZodType, path: Path): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const segment of path) {
    current = current === undefined ? undefined : childSchema(unwrap(current), segment);
  }
  if (current === undefined) return [];
  const target = unwrap(current);
  if (target instanceof z.ZodObject) return Object.keys(target.shape);
  // A record keyed by an enum (`resilience: { jira: …, github: … }`) allows those keys.
  if (target instanceof z.ZodRecord && target.keyType instanceof z.ZodEnum)
    return target.keyType.options.map(String);
  return [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (let depth = 0; depth < 20; depth++) {
    const def = current._zod.def as unknown as Record<string, unknown>;
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (inner === undefined) return current;
    current = inner as z.core.$ZodType;
  }
  return current;
}

function childSchema(schema: z.core.$ZodType, segment: PropertyKey): z.core.$ZodType | undefined {
  if (schema instanceof z.ZodObject) {
    return typeof segment === 'string'
      ? (schema.shape as Record<string, z.ZodType>)[segment]
      : undefined;
  }
  if (schema instanceof z.ZodArray) return schema.element;
  if (schema instanceof z.ZodRecord) return schema.valueType;
  return undefined;
}
