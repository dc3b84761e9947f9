import { AppError } from '../errors/app-error.js';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A decimal amount of US dollars as text, e.g. "0.0123400000": never a float. */
export type Usd = string;

const USD_PATTERN = /^\d{1,10}(\.\d{1,10})?$/;

export function assertUsd(value: string, field: string): Usd {
  if (!USD_PATTERN.test(value)) {
    throw new AppError(
      'invalid_input',
      `${field}: expected a non-negative decimal amount such as 1.25, found ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * jsonb parameters must be serialized by us: pg would turn a JS array into a SQL array. jsonb
 * cannot hold U+0000, which outside text may carry (a comment, a model's answer, a file): it is
 * stored as U+FFFD, the replacement character, rather than failing the write.
 */
export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value, withoutNul);
}

function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.includes('\0')
    ? value.replaceAll('\0', '\uFFFD')
    : value;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/** A page of results and the opaque cursor of the next page, if any. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * Keyset cursor over (created_at DESC, id DESC). The timestamp is the database's own text form
 * (microseconds): a JavaScript Date keeps only milliseconds and would skip rows.
 */
export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString('base64url');
}

/**
 * The one way back from a cursor: it must be exactly what `encodeCursor` makes, a timestamp in
 * the database's text form that the database will read (JavaScript's Date.parse also takes
 * `1`, `Tuesday 2020` or February 30th, which the database refuses) and a UUID.
 */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const [createdAt = '', id = ''] = parts;
  if (parts.length !== 2 || !isUuid(id) || !isCursorTime(createdAt)) {
    throw new AppError(
      'invalid_input',
      'cursor: expected a cursor returned by a previous page, found an unknown value',
    );
  }
  return { createdAt, id };
}

const CURSOR_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)$/;

function isCursorTime(text: string): boolean {
  const match = CURSOR_TIME.exec(text);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // A real calendar day, in years the database has (there is no year 0).
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

export function clampLimit(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError(
      'invalid_input',
      `limit: expected a whole number from 1 to ${max}, found ${limit}`,
    );
  }
  return Math.min(limit, max);
}
