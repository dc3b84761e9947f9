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

/** jsonb parameters must be serialized by us: pg would turn a JS array into a SQL array. */
export function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
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

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt = '', id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (id === undefined || !isUuid(id) || Number.isNaN(Date.parse(createdAt))) {
    throw new AppError(
      'invalid_input',
      'cursor: expected a cursor returned by a previous page, found an unknown value',
    );
  }
  return { createdAt, id };
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
