import { createRequesterFn, type RequestOptions } from '@gitbeaker/requester-utils';
import { Gitlab } from '@gitbeaker/rest';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { httpVendorError, networkVendorError, VendorError } from '../../resilience/vendor-error.js';

const SERVICE = 'gitlab';

export type GitLabClient = InstanceType<typeof Gitlab<false>>;

export interface GitLabClientOptions {
  /** The instance's address (`https://gitlab.com`, a self-managed one); the API is /api/v4. */
  readonly url: string;
  readonly token: string;
  readonly guard: ServiceGuard;
  /** The HTTP seam (tests, proxies); default: the global fetch. */
  readonly fetch?: typeof fetch;
}

/**
 * A @gitbeaker/rest client whose every request goes through aidev's GitLab guard (rate limit,
 * breaker, retries honouring Retry-After) instead of gitbeaker's own limiter and its ten
 * retries of 429/502, which would multiply with the guard's. The token travels as
 * `PRIVATE-TOKEN`, as gitbeaker sends it; failures become VendorErrors naming the call and
 * what GitLab said, never the token.
 */
export function createGitLabClient(options: GitLabClientOptions): GitLabClient {
  const send = options.fetch ?? fetch;
  const requesterFn = createRequesterFn(
    (_service, request) => Promise.resolve(request),
    (endpoint, raw) => {
      const request = (raw ?? {}) as RequestOptions;
      const method = request.method ?? 'GET';
      const prefix = request.prefixUrl ?? '';
      const url = new URL(endpoint, prefix.endsWith('/') ? prefix : `${prefix}/`);
      url.search = request.searchParams ?? '';
      const call = `${method} /${endpoint.split('?')[0] ?? ''}`;
      return options.guard.call(
        call,
        async () => {
          let response: Response;
          try {
            response = await send(url, {
              method,
              ...(request.headers === undefined ? {} : { headers: request.headers }),
              ...(request.body === undefined ? {} : { body: request.body }),
              ...(request.signal === undefined ? {} : { signal: request.signal }),
            });
          } catch (error) {
            throw networkVendorError(SERVICE, error, call);
          }
          if (!response.ok) throw await refusal(response, call);
          return {
            body: await bodyOf(response),
            headers: Object.fromEntries(response.headers.entries()),
            status: response.status,
          };
        },
        request.signal === undefined ? {} : { signal: request.signal },
      );
    },
  );
  return new Gitlab({
    host: options.url.replace(/\/+$/, ''),
    token: options.token,
    requesterFn,
    // The guard paces the calls; gitbeaker's own limiter would only add a second queue.
    rateLimits: {},
  });
}

/** JSON as objects, text (job logs, raw files) as a string, anything else as bytes. */
async function bodyOf(response: Response) {
  if (response.status === 204) return null;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (type === 'application/json')
    return ((await response.json()) as Record<string, unknown>) ?? {};
  if (type.startsWith('text/')) return response.text();
  return response.blob();
}

/**
 * GitLab's refusal as a VendorError: its `message` (a string, a list, or a field → errors map
 * for validation failures) or `error`; a body that is not GitLab's JSON (a proxy's HTML page)
 * is not quoted. 429 and 5xx are retryable (httpVendorError decides), with Retry-After honoured.
 */
async function refusal(response: Response, call: string): Promise<VendorError> {
  const text = await response.text().catch(() => '');
  let said: string;
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown };
    said = describe(body.message ?? body.error);
  } catch {
    said = /[<>]/.test(text) ? '' : text.trim().slice(0, 300);
  }
  return httpVendorError(SERVICE, response.status, said, {
    call,
    headers: Object.fromEntries(response.headers.entries()),
  });
}

function describe(message: unknown): string {
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map((m) => describe(m)).join('; ');
  if (typeof message === 'object' && message !== null)
    return Object.entries(message)
      .map(([field, problems]) => `${field} ${describe(problems)}`)
      .join('; ');
  return '';
}

/** A failure GitLab answered with one of these statuses. */
export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  return (
    error instanceof VendorError && error.status !== undefined && statuses.includes(error.status)
  );
}

/** What GitLab said in a refusal, without the call that the error's message also names. */
export const saidIn = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/^.*? answered \d+: /, '');
