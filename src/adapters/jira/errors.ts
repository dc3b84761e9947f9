import { isApiError, isNetworkError, isRateLimitError } from 'jira.js/core';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { httpVendorError, networkVendorError, VendorError } from '../../resilience/vendor-error.js';

const SERVICE = 'jira';

/**
 * Jira's own words from an error body (`{"errorMessages": [...], "errors": {"field": "..."}}`).
 * jira.js puts the raw body text into its error message as well; that is not used, so a long
 * HTML error page never ends up in a step's error.
 */
function jiraMessage(body: unknown): string {
  if (typeof body === 'string') return body.trim().slice(0, 300);
  if (typeof body !== 'object' || body === null) return '';
  const { errorMessages, errors } = body as { errorMessages?: unknown; errors?: unknown };
  const parts: string[] = [];
  if (Array.isArray(errorMessages))
    parts.push(...errorMessages.filter((m): m is string => typeof m === 'string'));
  if (typeof errors === 'object' && errors !== null)
    for (const [field, message] of Object.entries(errors))
      if (typeof message === 'string') parts.push(`${field}: ${message}`);
  return parts.join('; ');
}

/**
 * A jira.js failure as the VendorError the guard acts on: 429/5xx/network are retryable (with
 * the wait Jira asked for), everything else is an answer. `what` names the call and its issue,
 * so that a 404 says which key does not exist.
 */
export function toVendorError(what: string, error: unknown): unknown {
  if (error instanceof VendorError) return error;
  if (isApiError(error)) {
    // Jira's words, else the status line's (httpVendorError falls back to the status's own).
    const detail = jiraMessage(error.body) || error.statusText;
    // jira.js keeps only the parsed wait of a 429, not the headers: hand it on as a header.
    const headers =
      isRateLimitError(error) && error.retryAfterMs !== undefined
        ? { 'retry-after-ms': String(error.retryAfterMs) }
        : undefined;
    return httpVendorError(SERVICE, error.status, detail, {
      call: what,
      cause: error,
      ...(headers === undefined ? {} : { headers }),
    });
  }
  if (isNetworkError(error)) {
    if (error.transient) return networkVendorError(SERVICE, error, what);
    return new VendorError(`cannot reach Jira (${what}): ${error.message}`, {
      service: SERVICE,
      code: 'network_error',
      retryable: false,
      cause: error,
    });
  }
  return error;
}

/** Runs one Jira request under the site's guard (rate limit, breaker, retries). */
export type JiraCall = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

export function guardedCall(guard: ServiceGuard, signal: AbortSignal | undefined): JiraCall {
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
