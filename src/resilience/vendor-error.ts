import { STATUS_CODES } from 'node:http';

/** How messages name each service (its id is lower-case: `github`). */
const DISPLAY_NAMES: Readonly<Record<string, string>> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  jira: 'Jira',
  linear: 'Linear',
  confluence: 'Confluence',
  slack: 'Slack',
  anthropic: 'Anthropic',
  openai: 'OpenAI',
};

/** The name a person knows a service by: `GitHub` for `github`. */
export function serviceName(service: string): string {
  return DISPLAY_NAMES[service] ?? service;
}

/**
 * A failed call to an outside service, in the terms the resilience layer and the engine act on:
 * whether trying again may help, and how long the service asked us to wait.
 */
export class VendorError extends Error {
  readonly service: string;
  /** HTTP status, when there was a response. */
  readonly status: number | undefined;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    options: {
      service: string;
      code: string;
      status?: number;
      retryable: boolean;
      retryAfterMs?: number;
      cause?: unknown;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VendorError';
    this.service = options.service;
    this.status = options.status;
    this.code = options.code;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** 429 and 5xx are worth another try; other 4xx are the request's fault and are not. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** A failure to talk to the service at all (no response): retryable. */
export function isNetworkError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (current instanceof TypeError && current.message === 'fetch failed') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Reads `retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date) from
 * response headers, as vendors send them on 429 and 503.
 */
export function retryAfterMs(
  headers: Readonly<Record<string, string | string[] | undefined>> | undefined,
  now = Date.now(),
): number | undefined {
  if (headers === undefined) return undefined;
  const get = (name: string): string | undefined => {
    const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    return Array.isArray(entry) ? entry[0] : entry;
  };
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms >= 0 && get('retry-after-ms') !== undefined) return ms;
  const value = get('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  408: 'timeout',
  409: 'conflict',
  422: 'invalid_request',
  429: 'rate_limited',
};

/**
 * The VendorError for an HTTP answer: its code from the status, retryable for 429/5xx (and
 * whatever else the caller knows to be transient), and the wait the service asked for. Its
 * message says which call failed and what the service said, e.g. `GitHub POST
 * /repos/{owner}/{repo}/pulls answered 422: Validation Failed (A pull request already
 * exists)`; when the service said nothing, the status's own words stand in
 * (`… answered 502: Bad Gateway`), never an empty colon.
 */
export function httpVendorError(
  service: string,
  status: number,
  said: string,
  options: {
    /** The call that failed: `POST /repos/{owner}/{repo}/pulls`, `get issue PROJ-1`. */
    call?: string;
    headers?: Readonly<Record<string, string | string[] | undefined>>;
    retryable?: boolean;
    cause?: unknown;
  } = {},
): VendorError {
  const wait = retryAfterMs(options.headers);
  const call = options.call === undefined ? '' : ` ${options.call}`;
  const words = said.trim() || STATUS_CODES[status] || 'no details';
  return new VendorError(`${serviceName(service)}${call} answered ${status}: ${words}`, {
    service,
    status,
    code: CODES[status] ?? (status >= 500 ? 'unavailable' : 'http_error'),
    retryable: options.retryable ?? isRetryableStatus(status),
    ...(wait === undefined ? {} : { retryAfterMs: wait }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/** A VendorError for a call that got no answer at all; `call` says which. */
export function networkVendorError(service: string, error: unknown, call?: string): VendorError {
  const which = call === undefined ? '' : ` (${call})`;
  return new VendorError(
    `cannot reach ${serviceName(service)}${which}: ${(error as Error).message}`,
    {
      service,
      code: 'network_error',
      retryable: true,
      cause: error,
    },
  );
}
