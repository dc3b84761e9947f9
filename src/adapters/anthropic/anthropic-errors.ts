import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { answered, unreachable, type ErrorContext } from '../../resilience/model-api-errors.js';
import { VendorError } from '../../resilience/vendor-error.js';

export type { ErrorContext };

const SERVICE = 'anthropic';

/** Anthropic's own words, with the request id their support asks for. */
function describe(error: StatusError, scrub: (text: string) => string): string {
  const message = error.apiMessage ?? error.message;
  const type = error.type === null ? '' : `${error.type}: `;
  const request = typeof error.requestID === 'string' ? ` (request ${error.requestID})` : '';
  return scrub(`${type}${message}${request}`);
}

/** "prompt is too long: 212345 tokens > 200000 maximum" → both numbers, when given. */
function tooLong(status: number, message: string): string {
  const numbers = /(\d+)\s*tokens?\s*>\s*(\d+)/.exec(message);
  const size =
    status === 413
      ? 'the request is larger than Anthropic accepts'
      : numbers === null
        ? 'the prompt is longer than the model accepts'
        : `the prompt has ${Number(numbers[1]).toLocaleString('en')} tokens and the model accepts at most ${Number(numbers[2]).toLocaleString('en')}`;
  return `${size}; shorten the conversation, the system text or the tool results (or pick a model with a larger context window)`;
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
 * (2) 401/403 → unauthorized, naming the setting to fix;
 * (3) 429 → rate_limited, 529 or overloaded_error → overloaded, other 5xx → unavailable,
 *     all retryable after the wait Anthropic asked for;
 * (4) 400 "prompt is too long" (and 413) → context_too_long, other 4xx → invalid_request.
 * A cancelled call is passed through untouched: the caller asked for it.
 */
export function toVendorError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof VendorError || error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError)
    return unreachable(SERVICE, error, context, error instanceof APIConnectionTimeoutError);
  if (!(error instanceof APIError) || typeof error.status !== 'number') return error;
  // instanceof narrows to APIError<any, …>; the SDK built it from an HTTP answer.
  return fromAnswer(error as StatusError, context);
}

type StatusError = APIError<number, Headers | undefined>;

function fromAnswer(error: StatusError, context: ErrorContext): VendorError {
  const status = error.status;
  const detail = describe(error, context.scrub);
  if (status === 401 || status === 403)
    return vendorError(
      `Anthropic refused the API key (${status} ${detail}); check ANTHROPIC_API_KEY`,
      'unauthorized',
      error,
      { retryable: false },
    );
  if (status === 429)
    return vendorError(`Anthropic rate limit reached (${detail})`, 'rate_limited', error, {
      retryable: true,
      wait: true,
    });
  if (status === 529 || error.type === 'overloaded_error')
    return vendorError(`Anthropic is overloaded (${detail})`, 'overloaded', error, {
      retryable: true,
      wait: true,
    });
  if (status >= 500 || status === 408)
    return vendorError(`Anthropic answered ${status} (${detail})`, 'unavailable', error, {
      retryable: true,
      wait: true,
    });
  if (status === 413 || (status === 400 && /prompt is too long/i.test(error.apiMessage ?? '')))
    return vendorError(tooLong(status, error.apiMessage ?? ''), 'context_too_long', error, {
      retryable: false,
    });
  return vendorError(
    `Anthropic refused the request (${status} ${detail})`,
    'invalid_request',
    error,
    { retryable: false },
  );
}
