import { LinearError, LinearErrorType } from '@linear/sdk';
import { StepError } from '../../engine/step-errors.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { isNetworkError, networkVendorError, VendorError } from '../../resilience/vendor-error.js';

const SERVICE = 'linear';

/** A GraphQL error as Linear answers it: `extensions.code` (RATELIMITED) and `type`. */
interface RawGraphQLError {
  readonly message?: string;
  readonly extensions?: { code?: string; type?: string; userPresentableMessage?: string };
}

function rawErrors(error: LinearError): RawGraphQLError[] {
  const raw = error.raw as { response?: { errors?: unknown } } | undefined;
  return Array.isArray(raw?.response?.errors) ? (raw.response.errors as RawGraphQLError[]) : [];
}

/** Linear's own words: the user-presentable message, else the error's (never the query). */
function linearWords(error: LinearError): string {
  const first = rawErrors(error)[0];
  const said =
    first?.extensions?.userPresentableMessage ?? first?.message ?? error.errors?.[0]?.message;
  return (said ?? error.message.split(' - ')[0] ?? '').trim().slice(0, 300);
}

/**
 * A Linear failure as the VendorError the guard acts on. Linear answers a rate limit with HTTP
 * 400 and the `RATELIMITED` code (or 429): retryable, after the wait it names. Authentication,
 * permission and input errors are answers, not outages. `what` names the call and its issue.
 */
export function toVendorError(what: string, error: unknown): unknown {
  if (error instanceof VendorError || error instanceof StepError) return error;
  // No answer at all: fetch failed before the SDK saw a response (it may wrap that failure).
  if (isNetworkError(error) || (error instanceof LinearError && isNetworkError(error.raw)))
    return networkVendorError(SERVICE, error instanceof LinearError ? error.raw : error, what);
  if (!(error instanceof LinearError)) return error;
  const status = error.status;
  const codes = rawErrors(error).map((e) => e.extensions?.code);
  const words = linearWords(error);
  const fail = (code: string, retryable: boolean, message: string, retryAfterMs?: number) =>
    new VendorError(message, {
      service: SERVICE,
      code,
      retryable,
      cause: error,
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  if (
    error.type === LinearErrorType.Ratelimited ||
    codes.includes('RATELIMITED') ||
    status === 429
  ) {
    const seconds = (error as { retryAfter?: number }).retryAfter;
    return fail(
      'rate_limited',
      true,
      `Linear rate-limited ${what}: ${words || 'too many requests'}`,
      seconds === undefined ? undefined : seconds * 1000,
    );
  }
  if (error.type === LinearErrorType.AuthenticationError || status === 401)
    return fail(
      'unauthorized',
      false,
      `Linear refused the credentials (${what}): ${words || 'authentication failed'}; check LINEAR_API_KEY (or LINEAR_ACCESS_TOKEN)`,
    );
  if (error.type === LinearErrorType.Forbidden || status === 403)
    return fail('forbidden', false, `Linear did not allow ${what}: ${words}`);
  if (/not found|could not find/i.test(words))
    return fail('not_found', false, `Linear: ${what}: ${words}`);
  if (
    error.type === LinearErrorType.InternalError ||
    error.type === LinearErrorType.LockTimeout ||
    (status !== undefined && status >= 500)
  )
    return fail('unavailable', true, `Linear ${what} failed: ${words || 'internal error'}`);
  return fail(
    error.type === LinearErrorType.InvalidInput ? 'invalid_request' : 'http_error',
    false,
    `Linear ${what} answered: ${words || error.type}`,
  );
}

/** Runs one Linear request under the workspace's guard (rate limit, breaker, retries). */
export type LinearCall = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export function guardedCall(guard: ServiceGuard, signal: AbortSignal | undefined): LinearCall {
  return (what, fn) =>
    guard.call(
      what,
      async () => {
        try {
          return await fn();
        } catch (error) {
          throw toVendorError(what, error);
        }
      },
      signal === undefined ? {} : { signal },
    );
}
