import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { answered, unreachable, type ErrorContext } from '../../resilience/model-api-errors.js';
import { VendorError } from '../../resilience/vendor-error.js';

export type { ErrorContext };

const SERVICE = 'openai';

type StatusError = APIError<number, Headers | undefined>;

/** OpenAI's own words (its `error.message`), its error code, and the request id support asks for. */
function describe(error: StatusError, scrub: (text: string) => string): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  const code = typeof error.code === 'string' ? `${error.code}: ` : '';
  const request = typeof error.requestID === 'string' ? ` (request ${error.requestID})` : '';
  return scrub(`${code}${message}${request}`);
}

/**
 * "This model's maximum context length is 128000 tokens. However, your messages resulted in
 * 130412 tokens." → both numbers, when given.
 */
function tooLong(message: string): string {
  const limit = /maximum context length is (\d+)/i.exec(message)?.[1];
  const size = /resulted in (\d+) tokens/i.exec(message)?.[1];
  const what =
    limit === undefined || size === undefined
      ? 'the prompt is longer than the model accepts'
      : `the prompt has ${Number(size).toLocaleString('en')} tokens and the model accepts at most ${Number(limit).toLocaleString('en')}`;
  return `${what}; shorten the conversation, the system text or the tool results (or pick a model with a larger context window)`;
}

const vendorError = (
  message: string,
  code: string,
  error: StatusError,
  options: { retryable: boolean; wait?: boolean },
) => answered(SERVICE, message, code, error, options);

/**
 * An SDK failure as the VendorError the guard acts on, coded with PROVIDER_ERROR_CODES:
 * (1) no answer at all → network_error, retryable;
 * (2) 401/403 → unauthorized, naming the setting to fix (OPENAI_ORG_ID or OPENAI_PROJECT_ID
 *     when the key does not belong to the organization or project sent);
 * (3) 429 → rate_limited, retryable after the wait asked for — except `insufficient_quota`,
 *     which no wait cures (the account has no credit), so it is not retried;
 * (4) 503 → overloaded, other 5xx and 408 → unavailable, both retryable;
 * (5) `context_length_exceeded`, a gateway's "maximum context length" or 413 → context_too_long,
 *     other 4xx → invalid_request.
 * A cancelled call is passed through untouched: the caller asked for it.
 */
export function toVendorError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof VendorError || error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError)
    return unreachable(SERVICE, error, context, error instanceof APIConnectionTimeoutError);
  if (!(error instanceof APIError) || typeof error.status !== 'number') return error;
  return fromAnswer(error as StatusError, context);
}

/** A key sent with an organization or project it does not belong to: the setting to fix. */
const MISMATCHED: Readonly<Record<string, { what: string; setting: string }>> = {
  mismatched_organization: { what: 'organization', setting: 'OPENAI_ORG_ID' },
  mismatched_project: { what: 'project', setting: 'OPENAI_PROJECT_ID' },
};

function fromAnswer(error: StatusError, context: ErrorContext): VendorError {
  const status = error.status;
  const detail = describe(error, context.scrub);
  const mismatched = MISMATCHED[String(error.code)];
  if (status === 401 && mismatched !== undefined)
    return vendorError(
      `OpenAI refused the ${mismatched.what} (${status} ${detail}); check ${mismatched.setting}: the API key must belong to it (or unset it to use the key's own)`,
      'unauthorized',
      error,
      { retryable: false },
    );
  if (status === 401 || status === 403)
    return vendorError(
      `OpenAI refused the API key (${status} ${detail}); check OPENAI_API_KEY (and OPENAI_BASE_URL)`,
      'unauthorized',
      error,
      { retryable: false },
    );
  if (status === 429 && error.code === 'insufficient_quota')
    return vendorError(
      `OpenAI refused the call: the account's quota is used up (${detail}); add credit or raise the limit in the OpenAI billing settings`,
      'rate_limited',
      error,
      { retryable: false },
    );
  if (status === 429)
    return vendorError(`OpenAI rate limit reached (${detail})`, 'rate_limited', error, {
      retryable: true,
      wait: true,
    });
  if (status === 503)
    return vendorError(`OpenAI is overloaded (${detail})`, 'overloaded', error, {
      retryable: true,
      wait: true,
    });
  if (status >= 500 || status === 408)
    return vendorError(`OpenAI answered ${status} (${detail})`, 'unavailable', error, {
      retryable: true,
      wait: true,
    });
  // Gateways (vLLM, LiteLLM) send the same words without OpenAI's code, some outside `error`.
  if (
    status === 413 ||
    error.code === 'context_length_exceeded' ||
    /context length/i.test(error.message)
  )
    return vendorError(tooLong(error.message), 'context_too_long', error, { retryable: false });
  return vendorError(`OpenAI refused the request (${status} ${detail})`, 'invalid_request', error, {
    retryable: false,
  });
}
