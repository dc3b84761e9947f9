import { createAppAuth, type StrategyOptions } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { Logger } from '../../log/create-logger.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import type { TokenCache } from './installation-token-cache.js';
import { httpVendorError, networkVendorError, VendorError } from '../../resilience/vendor-error.js';

const AidevOctokit = Octokit.plugin(throttling, retry);
const SERVICE = 'github';
export type GitHubClient = InstanceType<typeof AidevOctokit>;

/**
 * How a client signs in: a token (personal, fine-grained, or any other GitHub accepts), or a
 * GitHub App through @octokit/auth-app — as the App itself (a JWT, for the `/app` routes and
 * finding installations), or as one installation (its access token, made and renewed by
 * auth-app and kept in `cache`).
 */
export type GitHubClientAuth =
  | { readonly token: string }
  | {
      readonly appId: string;
      readonly privateKey: string;
      readonly installationId?: number;
      /** auth-app's token store; one per App so that all its clients share their tokens. */
      readonly cache: TokenCache;
    };

/**
 * Request spacing of octokit's throttling plugin. One set per plugin instance, shared by all
 * its clients: an App's clients (one per installation) write to GitHub at one pace together.
 */
export interface GitHubLimits {
  readonly write: Bottleneck.Group;
  readonly search: Bottleneck.Group;
  readonly notifications: Bottleneck.Group;
}

/**
 * Bottleneck groups of our own: the plugin's defaults are process-wide and space writes a
 * whole second apart, which made a five-request commit take five seconds.
 */
export function gitHubLimits(options: {
  /** Least time between two writes to one repository owner's API (GitHub asks for spacing). */
  readonly writeSpacingMs: number;
  readonly notificationSpacingMs: number;
}): GitHubLimits {
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
    search: new Bottleneck.Group({ maxConcurrent: 1, minTime: 2_000 }),
    notifications: new Bottleneck.Group({
      maxConcurrent: 1,
      minTime: options.notificationSpacingMs,
    }),
  };
}

export interface GitHubClientOptions {
  readonly auth: GitHubClientAuth;
  readonly apiUrl: string;
  readonly limits: GitHubLimits;
  readonly guard: ServiceGuard;
  readonly logger: Logger;
}

/**
 * An Octokit whose every request goes through aidev's guard for GitHub (rate limit, breaker,
 * retries honouring Retry-After). Octokit's own retries are off so that the two do not
 * multiply; its throttling plugin keeps only its request spacing (writes one at a time) and
 * hands rate-limit answers to the guard. An App's authentication is octokit's `authStrategy`,
 * whose hook sits inside the guard: a request that needs a new installation token makes it
 * within the same guarded call, so a failure to make it is retried with the call.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const { guard, logger, auth } = options;
  const log = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message: string) => logger.warn({ service: 'github' }, message),
    // Octokit logs each failed request as an error; the guard and the step report failures.
    error: (message: string) => logger.debug({ service: 'github' }, message),
  };
  const octokit = new AidevOctokit({
    ...('token' in auth
      ? { auth: auth.token }
      : {
          authStrategy: createAppAuth,
          auth: {
            appId: auth.appId,
            privateKey: auth.privateKey,
            // auth-app types a miss out of `get`, but its code expects one (toad-cache's own
            // store answers undefined): our store is the same shape.
            cache: auth.cache as NonNullable<StrategyOptions['cache']>,
            ...(auth.installationId === undefined ? {} : { installationId: auth.installationId }),
          },
        }),
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'aidev',
    log,
    retry: { enabled: false },
    throttle: {
      ...options.limits,
      // Returning false hands the answer to the guard, which waits as GitHub asked.
      onRateLimit: () => false,
      onSecondaryRateLimit: () => false,
    },
  });
  octokit.hook.wrap('request', (request, endpoint) => {
    // The route as GitHub documents it (`POST /repos/{owner}/{repo}/pulls`): errors name it.
    const call = `${endpoint.method} ${endpoint.url}`;
    return guard.call(call, async () => {
      try {
        return await request(endpoint);
      } catch (error) {
        throw toVendorError(error, call);
      }
    });
  });
  return octokit;
}

interface OctokitFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/**
 * GitHub's answer as a VendorError naming the call (`call`); rate limits (403/429 with a wait)
 * are retryable.
 */
export function toVendorError(error: unknown, call: string): VendorError {
  if (error instanceof VendorError) return error;
  const failure = error as OctokitFailure;
  if (typeof failure.status !== 'number' || failure.response === undefined)
    return networkVendorError(SERVICE, error, call);
  const headers = failure.response.headers ?? {};
  const rateLimited =
    failure.status === 429 ||
    (failure.status === 403 &&
      (headers['retry-after'] !== undefined || headers['x-ratelimit-remaining'] === '0'));
  const resetAt = Number(headers['x-ratelimit-reset']);
  const waitHeaders =
    headers['retry-after'] === undefined && rateLimited && Number.isFinite(resetAt)
      ? { 'retry-after': String(Math.max(1, Math.ceil(resetAt - Date.now() / 1000))) }
      : headers;
  return httpVendorError(SERVICE, failure.status, describe(failure), {
    call,
    headers: waitHeaders,
    ...(rateLimited ? { retryable: true } : {}),
    cause: error,
  });
}

interface GitHubErrorBody {
  message?: unknown;
  errors?: unknown;
}

/**
 * What GitHub said: its `message` with the validation errors it lists ("Validation Failed (A
 * pull request already exists for acme:x.)"), the errors alone when there is no message, or
 * nothing (the caller then gives the status's words). An error is a string, or an object with
 * a `message` or its `resource`, `field` and `code`. A body that is not GitHub's JSON (a
 * proxy's HTML page) is not quoted.
 */
function describe(failure: OctokitFailure): string {
  const data = failure.response?.data;
  if (typeof data === 'string') return /[<>]/.test(data) ? '' : data.trim().slice(0, 300);
  const body = (typeof data === 'object' && data !== null ? data : {}) as GitHubErrorBody;
  const details = (Array.isArray(body.errors) ? (body.errors as unknown[]) : [])
    .map((e) => {
      if (typeof e === 'string') return e;
      const { message, resource, field, code } = (e ?? {}) as Record<string, unknown>;
      if (typeof message === 'string' && message !== '') return message;
      return [resource, field, code].filter((p) => typeof p === 'string' && p !== '').join(' ');
    })
    .filter((m) => m !== '');
  const message = typeof body.message === 'string' ? body.message.trim() : '';
  if (details.length === 0) return message;
  return message === '' ? details.join('; ') : `${message} (${details.join('; ')})`;
}

/** A failure GitHub answered with this status. */
export function hasStatus(error: unknown, ...statuses: number[]): boolean {
  return (
    error instanceof VendorError && error.status !== undefined && statuses.includes(error.status)
  );
}

/** The web address of a GitHub API: api.github.com → github.com, GHE /api/v3 → its host. */
export function webUrlOf(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === 'api.github.com') return 'https://github.com';
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/+$/, '')}`;
}
