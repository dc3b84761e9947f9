import { randomBytes } from 'node:crypto';
import { VendorHttpError, type Fault } from '../kit/vendor-server.js';

// The JSON OpenAI's API answers with: error bodies, ids, models, and scripted faults.

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'invalid_request_error',
  404: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
};

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An id the way OpenAI writes them: `chatcmpl-…`, `call_…`, `req_…`. */
export function openaiId(prefix: 'chatcmpl-' | 'call_' | 'req_', length = 24): string {
  return prefix + [...randomBytes(length)].map((b) => ALPHANUMERIC[b % 62] ?? '0').join('');
}

/** OpenAI's error body: `{"error":{"message","type","param","code"}}`. */
export function openaiErrorBody(
  status: number,
  message: string,
  options: { type?: string; code?: string | null; param?: string | null } = {},
) {
  return {
    error: {
      message,
      type: options.type ?? ERROR_TYPES[status] ?? 'server_error',
      param: options.param ?? null,
      code: options.code ?? null,
    },
  };
}

/** An error answer thrown from a handler, with the x-request-id header OpenAI sends. */
export function openaiError(
  status: number,
  message: string,
  options: { type?: string; code?: string | null; param?: string | null } = {},
): VendorHttpError {
  return new VendorHttpError(status, openaiErrorBody(status, message, options), {
    'x-request-id': openaiId('req_', 32),
  });
}

const onCompletions = (request: { operationId: string | undefined }) =>
  request.operationId === 'createChatCompletion';

/** 429 with Retry-After (seconds), as OpenAI sends a rate limit. */
export function rateLimitFault(retryAfterSeconds: number, times = 1): Fault {
  return {
    times,
    when: onCompletions,
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: openaiErrorBody(
      429,
      'Rate limit reached for gpt-5 in organization org-aidev on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.',
      { type: 'requests', code: 'rate_limit_exceeded' },
    ),
  };
}

/** 429 insufficient_quota: the account has no credit left (no wait cures it). */
export function quotaFault(times = 1): Fault {
  return {
    times,
    when: onCompletions,
    status: 429,
    body: openaiErrorBody(
      429,
      'You exceeded your current quota, please check your plan and billing details.',
      { type: 'insufficient_quota', code: 'insufficient_quota' },
    ),
  };
}

/** A 5xx for the next `times` completion requests (503: the engine is overloaded). */
export function serverErrorFault(times = 1, status = 500): Fault {
  return {
    times,
    when: onCompletions,
    status,
    body: openaiErrorBody(
      status,
      status === 503
        ? 'The engine is currently overloaded, please try again later'
        : 'The server had an error while processing your request. Sorry about that!',
    ),
  };
}

export interface ModelSpec {
  readonly id: string;
  /** The dated snapshot an alias answers as (`gpt-5` → `gpt-5-2025-08-07`). */
  readonly snapshot: string;
  /** Reasoning models refuse `max_tokens` (and sampling parameters). */
  readonly reasoning: boolean;
}

export const MODELS: readonly ModelSpec[] = [
  { id: 'gpt-5', snapshot: 'gpt-5-2025-08-07', reasoning: true },
  { id: 'gpt-5-mini', snapshot: 'gpt-5-mini-2025-08-07', reasoning: true },
  { id: 'gpt-5-nano', snapshot: 'gpt-5-nano-2025-08-07', reasoning: true },
  { id: 'gpt-4.1', snapshot: 'gpt-4.1-2025-04-14', reasoning: false },
  { id: 'gpt-4.1-mini', snapshot: 'gpt-4.1-mini-2025-04-14', reasoning: false },
  { id: 'gpt-4o', snapshot: 'gpt-4o-2024-08-06', reasoning: false },
  { id: 'gpt-4o-mini', snapshot: 'gpt-4o-mini-2024-07-18', reasoning: false },
];

export function findModel(id: string): ModelSpec | undefined {
  return MODELS.find((m) => m.id === id || m.snapshot === id);
}

/** A Model object as GET /v1/models lists it. */
export function modelJson(model: ModelSpec) {
  return { id: model.id, object: 'model', created: 1_754_425_777, owned_by: 'system' };
}
