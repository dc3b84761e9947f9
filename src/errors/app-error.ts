/**
 * Every error aidev raises on purpose carries a stable code, a message a person can act on,
 * and optionally a hint saying what to do next. Anything else is wrapped by `coerceError`.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'database_unreachable'
  | 'database_unavailable'
  | 'database_incompatible'
  | 'database_busy'
  | 'migration_failed'
  | 'migration_mismatch'
  | 'migrations_pending'
  | 'embedded_lock_lost'
  | 'not_found'
  | 'conflict'
  | 'invalid_input'
  | 'job_data_invalid'
  | 'sandbox_unavailable'
  | 'internal';

export interface AppErrorOptions {
  cause?: unknown;
  hint?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  const message =
    typeof thrown === 'string' ? thrown : `non-error thrown: ${safeStringify(thrown)}`;
  return new Error(message, { cause: thrown });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
