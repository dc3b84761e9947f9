import type { ServiceGuard } from './service-guard.js';
import { retryAfterMs, serviceName, VendorError } from './vendor-error.js';

/**
 * What the model providers' error mappings share (Anthropic's and OpenAI's SDKs both fail with
 * an HTTP answer or no answer at all): each adapter decides which code an answer means, in its
 * vendor's words; building the VendorError the guard acts on is done once, here.
 */

/** What a mapping needs besides the error: where we called, and what must never be shown. */
export interface ErrorContext {
  readonly baseUrl: string;
  /** Removes the API key from a text, should a proxy or gateway ever echo it back. */
  readonly scrub: (text: string) => string;
}

/** An SDK's error built from an HTTP answer: its status and headers. */
export interface AnsweredError extends Error {
  readonly status: number;
  readonly headers?: Headers | undefined;
}

/** "Connection error." says little; the innermost cause says "connect ECONNREFUSED 10.0.0.1:443". */
function innermostMessage(error: Error): string {
  let current: unknown = error;
  let message = error.message;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    message = current.message;
    current = current.cause;
  }
  return message;
}

/** No answer at all (refused, reset, timed out): retryable, with the innermost cause. */
export function unreachable(
  service: string,
  error: Error,
  context: ErrorContext,
  timedOut: boolean,
): VendorError {
  const what = timedOut ? 'no answer in time' : innermostMessage(error);
  return new VendorError(
    `cannot reach ${serviceName(service)} at ${context.baseUrl}: ${context.scrub(what)}`,
    { service, code: 'network_error', retryable: true, cause: error },
  );
}

/** An answer's failure as a VendorError; `wait` honours the answer's retry-after. */
export function answered(
  service: string,
  message: string,
  code: string,
  error: AnsweredError,
  options: { retryable: boolean; wait?: boolean },
): VendorError {
  const headers = error.headers === undefined ? undefined : Object.fromEntries(error.headers);
  const wait = options.wait === true ? retryAfterMs(headers) : undefined;
  return new VendorError(message, {
    service,
    code,
    retryable: options.retryable,
    cause: error,
    status: error.status,
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
  });
}

/**
 * A caller of one SDK's calls under its guard: each failure in aidev's terms (`toError`, the
 * adapter's mapping), except that a call the caller cancelled fails with the caller's reason.
 */
export function guardedCalls(
  guard: ServiceGuard,
  toError: (error: unknown) => unknown,
): <T>(what: string, signal: AbortSignal, fn: () => Promise<T>) => Promise<T> {
  return (what, signal, fn) =>
    guard.call(
      what,
      async () => {
        try {
          return await fn();
        } catch (error) {
          if (signal.aborted) throw signal.reason;
          throw toError(error);
        }
      },
      { signal },
    );
}
