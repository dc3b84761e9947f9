import { randomBytes } from 'node:crypto';
import { VendorHttpError, type Fault } from '../kit/vendor-server.js';

// The JSON Anthropic's API answers with: error bodies, ids, models, and scripted faults.

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An id the way Anthropic writes them: `toolu_01` / `msg_01` / `req_01` and 22 base-62 characters. */
export function anthropicId(prefix: 'toolu' | 'msg' | 'req'): string {
  const tail = [...randomBytes(22)].map((byte) => BASE62[byte % 62] ?? '0').join('');
  return `${prefix}_01${tail}`;
}

/** Anthropic's error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export function anthropicErrorBody(status: number, message: string, type?: string) {
  return {
    type: 'error',
    error: { type: type ?? ERROR_TYPES[status] ?? 'api_error', message },
    request_id: anthropicId('req'),
  };
}

/** An error answer thrown from a handler, with the request-id header Anthropic sends. */
export function anthropicError(status: number, message: string, type?: string): VendorHttpError {
  const body = anthropicErrorBody(status, message, type);
  return new VendorHttpError(status, body, { 'request-id': body.request_id });
}

/** 429 rate_limit_error with Retry-After (seconds), as Anthropic sends it. */
export function rateLimitFault(retryAfterSeconds: number, times = 1): Fault {
  return {
    times,
    when: (request) => request.operationId === 'messages/create',
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: anthropicErrorBody(
      429,
      'This request would exceed the rate limit for your organization of 50 requests per minute.',
    ),
  };
}

/** 529 overloaded_error, optionally with Retry-After (seconds). */
export function overloadedFault(times = 1, retryAfterSeconds?: number): Fault {
  return {
    times,
    when: (request) => request.operationId === 'messages/create',
    status: 529,
    headers: retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    body: anthropicErrorBody(529, 'Overloaded'),
  };
}

/** A 5xx api_error for the next `times` Messages requests. */
export function apiErrorFault(times = 1, status = 500): Fault {
  return {
    times,
    when: (request) => request.operationId === 'messages/create',
    status,
    body: anthropicErrorBody(status, 'Internal server error'),
  };
}

export interface ModelSpec {
  readonly id: string;
  readonly displayName: string;
  readonly line: string;
  readonly maxInputTokens: number;
  readonly maxTokens: number;
  readonly createdAt: string;
}

/** The models this server knows; requests may name them with or without the date. */
export const MODELS: readonly ModelSpec[] = [
  {
    id: 'claude-sonnet-5-5',
    displayName: 'Claude Sonnet 5.5',
    line: 'sonnet',
    maxInputTokens: 1_000_000,
    maxTokens: 128_000,
    createdAt: '2026-09-24T00:00:00Z',
  },
  {
    id: 'claude-opus-5-5',
    displayName: 'Claude Opus 5.5',
    line: 'opus',
    maxInputTokens: 1_000_000,
    maxTokens: 128_000,
    createdAt: '2026-09-24T00:00:00Z',
  },
  {
    id: 'claude-sonnet-4-6',
    displayName: 'Claude Sonnet 4.6',
    line: 'sonnet',
    maxInputTokens: 1_000_000,
    maxTokens: 64_000,
    createdAt: '2026-02-17T00:00:00Z',
  },
  {
    id: 'claude-sonnet-4-5-20250929',
    displayName: 'Claude Sonnet 4.5',
    line: 'sonnet',
    maxInputTokens: 200_000,
    maxTokens: 64_000,
    createdAt: '2025-09-29T00:00:00Z',
  },
  {
    id: 'claude-haiku-4-5-20251001',
    displayName: 'Claude Haiku 4.5',
    line: 'haiku',
    maxInputTokens: 200_000,
    maxTokens: 64_000,
    createdAt: '2025-10-01T00:00:00Z',
  },
];

export function findModel(name: string): ModelSpec | undefined {
  return MODELS.find((m) => m.id === name || m.id.replace(/-\d{8}$/, '') === name);
}

/** ModelInfo as GET /v1/models lists it. */
export function modelJson(model: ModelSpec) {
  return {
    type: 'model',
    id: model.id,
    display_name: model.displayName,
    created_at: model.createdAt,
    capabilities: null,
    deprecated_at: null,
    retires_at: null,
    lifecycle: 'active',
    line: model.line,
    max_input_tokens: model.maxInputTokens,
    max_tokens: model.maxTokens,
  };
}
