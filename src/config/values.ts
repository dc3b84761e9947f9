import path from 'node:path';
import ms from 'ms';
import { z } from 'zod';

/**
 * Schemas for single configuration values. Each phrases its failure as "expected …" so that
 * the problem formatter can append what was found.
 */

export function text() {
  return z.string().trim().min(1, { error: 'expected a non-empty value' });
}

/** A path on this machine, written absolute so that it cannot depend on where aidev starts. */
export function absolutePath(example: string) {
  return z
    .string()
    .trim()
    .refine((value) => path.isAbsolute(value), {
      error: `expected an absolute path such as ${example}`,
    })
    .transform((value) => path.normalize(value));
}

export function httpUrl(example: string) {
  return z
    .string()
    .trim()
    .refine(isHttpUrl, { error: `expected an http(s) URL such as ${example}` })
    .transform((url) => url.replace(/\/+$/, ''));
}

export function postgresUrl() {
  return z.string().trim().refine(isPostgresUrl, {
    error: 'expected a PostgreSQL URL such as postgres://user:password@localhost:5432/aidev',
  });
}

export function port() {
  return z
    .string()
    .trim()
    .refine((value) => /^\d{1,5}$/.test(value) && Number(value) >= 1 && Number(value) <= 65535, {
      error: 'expected a TCP port number from 1 to 65535',
    })
    .transform(Number);
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.join(', ')}` });
}

export function email() {
  return z
    .string()
    .trim()
    .refine((value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value), {
      error: 'expected an email address such as you@example.com',
    });
}

/** A positive whole number written in decimal, such as a GitHub App's or installation's id. */
export function numericId(what: string, example: string) {
  return z
    .string()
    .trim()
    .regex(/^[1-9]\d{0,15}$/, { error: `expected ${what}: a number such as ${example}` });
}

/** A credential: never printed, at least 8 characters, optionally with a known prefix. */
export function secret(options: { prefixes?: readonly string[]; what?: string } = {}) {
  const what = options.what ?? 'a credential';
  const prefixes = options.prefixes ?? [];
  const prefixText =
    prefixes.length > 0 ? ` starting with ${prefixes.map((p) => `"${p}"`).join(' or ')}` : '';
  return z
    .string()
    .trim()
    .refine(
      (value) =>
        value.length >= 8 && (prefixes.length === 0 || prefixes.some((p) => value.startsWith(p))),
      { error: `expected ${what}${prefixText} (at least 8 characters)` },
    );
}

/** A 256-bit key as 64 hex characters or base64. */
export function encryptionKey() {
  return z.string().trim().refine(isKey256, {
    error:
      'expected a 256-bit key: 64 hex characters or 44 base64 characters (try `openssl rand -base64 32`)',
  });
}

export function boolean() {
  return z.boolean({ error: 'expected true or false' });
}

export function integer(min: number, max: number) {
  return z
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: `expected a whole number from ${min} to ${max}`,
    });
}

/** Calls per second, such as 2 or 0.5. */
export function rate() {
  const error = 'expected calls per second: a number above 0, at most 1000';
  return z.number({ error }).refine((n) => Number.isFinite(n) && n > 0 && n <= 1000, { error });
}

/** A duration such as `30s`, `5m`, `1500ms`, or a number of milliseconds; yields milliseconds. */
export function duration(bounds: { min: string; max: string }) {
  const min = ms(bounds.min as ms.StringValue);
  const max = ms(bounds.max as ms.StringValue);
  const expected = `expected a duration from ${bounds.min} to ${bounds.max}, such as 30s, 5m or 1500ms`;
  return z.union([z.number(), z.string()], { error: expected }).transform((value, ctx) => {
    const parsed = typeof value === 'number' ? value : parseDuration(value);
    if (parsed === undefined || parsed < min || parsed > max) {
      ctx.issues.push({ code: 'custom', message: expected, input: value });
      return z.NEVER;
    }
    return parsed;
  });
}

function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?\s*[a-z]*$/i.test(trimmed)) return undefined;
  const parsed = ms(trimmed as ms.StringValue) as number | undefined;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : undefined;
}

function isHttpUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
}

function isPostgresUrl(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'postgres:' || url.protocol === 'postgresql:');
}

function isKey256(value: string): boolean {
  if (/^[0-9a-f]{64}$/i.test(value)) return true;
  if (!/^[A-Za-z0-9+/]{43}=?$/.test(value)) return false;
  return Buffer.from(value, 'base64').length === 32;
}

/** A dollar amount such as 5 or 2.50 (at most 4 decimal places); yields "5.00" text as given. */
/** A dollar amount up to `max` with at most 4 decimals: more would overflow the budget columns. */
export function dollars(max = 1_000_000) {
  const expected = 'expected a dollar amount such as 5 or 2.50';
  return z.union([z.number(), z.string()], { error: expected }).transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim().replace(/^\$/, '');
    const problem = !/^\d{1,10}(\.\d{1,4})?$/.test(text)
      ? expected
      : Number(text) > max
        ? `expected at most ${max} dollars`
        : undefined;
    if (problem !== undefined) {
      ctx.issues.push({ code: 'custom', message: problem, input: value });
      return z.NEVER;
    }
    return text;
  });
}
