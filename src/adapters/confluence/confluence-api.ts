import {
  createV2Client,
  isApiError,
  isNetworkError,
  isRateLimitError,
  isSchemaMismatchError,
  type V2Client,
} from 'confluence.js';
import type { Page, PageSummary, SpaceSummary } from 'confluence.js/v2';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { httpVendorError, networkVendorError, VendorError } from '../../resilience/vendor-error.js';

const SERVICE = 'confluence';

/** A page's storage-format body, as the v2 API takes it. */
interface StorageBody {
  readonly representation: 'storage';
  readonly value: string;
}

/** A page as aidev needs it: where it is, its version, and where a person can read it. */
export interface ConfluencePage {
  readonly id: string;
  readonly title: string;
  readonly version: number;
  readonly url: string;
}

/**
 * The few Confluence Cloud v2 calls aidev makes, through confluence.js and the service's guard.
 *
 * confluence.js v3 sends every request with a bare `fetch` and throws its own error classes:
 * `ApiError` (with `status` and the parsed body; only its 429 subclass keeps `Retry-After`, as
 * `retryAfterMs` — the headers of other statuses are dropped), `NetworkError` (with `transient`)
 * and `SchemaMismatchError` (a response not shaped as documented). Its own retries (502/503/504
 * and transient network errors) are off unless `retry.maxAttempts` > 1; it is set to 1 here
 * explicitly, so that only the guard retries and attempts never multiply.
 */
export class ConfluenceApi {
  private readonly client: V2Client;

  constructor(
    /** The site, e.g. https://acme.atlassian.net (the API paths start with /wiki). */
    private readonly site: string,
    auth: { readonly email: string; readonly apiToken: string },
    private readonly guard: ServiceGuard,
  ) {
    this.client = createV2Client({
      host: site,
      auth: { type: 'basic', email: auth.email, apiToken: auth.apiToken },
      retry: { maxAttempts: 1 },
    });
  }

  /** The space with this key, or undefined when there is none (or the account cannot see it). */
  async spaceByKey(key: string, signal?: AbortSignal): Promise<SpaceSummary | undefined> {
    const spaces = await this.call(
      `find space ${key}`,
      () => this.client.space.getSpaces({ keys: [key], limit: 1 }),
      signal,
    );
    return spaces.results?.find((s) => s.key === key);
  }

  /** The current page with exactly this title in the space (titles are unique per space). */
  async pageByTitle(
    spaceId: string,
    title: string,
    signal?: AbortSignal,
  ): Promise<ConfluencePage | undefined> {
    const pages = await this.call(
      `find page "${title}" in space ${spaceId}`,
      () =>
        this.client.page.getPagesInSpace({
          id: numericId(spaceId),
          title,
          status: ['current'],
          limit: 5,
        }),
      signal,
    );
    const page = pages.results?.find((p) => p.title === title);
    return page === undefined ? undefined : this.toPage(page, pages._links?.base);
  }

  async createPage(
    page: { spaceId: string; title: string; parentId?: string; body: StorageBody },
    signal?: AbortSignal,
  ): Promise<ConfluencePage> {
    // v3's createPage sends `body` as the whole request body: the page's own `body` goes
    // inside it. Passing { spaceId, title, body } at the top level would send only the body.
    const created = await this.call(
      `create page "${page.title}" in space ${page.spaceId}`,
      () =>
        this.client.page.createPage({
          body: {
            spaceId: page.spaceId,
            status: 'current',
            title: page.title,
            ...(page.parentId === undefined ? {} : { parentId: page.parentId }),
            body: page.body,
          },
        }),
      signal,
    );
    return this.toPage(created, created._links?.base);
  }

  /** Replaces the page's title and body; `version` must be the current version plus one. */
  async updatePage(
    page: { id: string; title: string; version: number; message: string; body: StorageBody },
    signal?: AbortSignal,
  ): Promise<ConfluencePage> {
    const updated = await this.call(
      `update page ${page.id} to version ${page.version}`,
      () =>
        this.client.page.updatePage({
          id: numericId(page.id),
          body: {
            id: page.id,
            status: 'current',
            title: page.title,
            body: page.body,
            version: { number: page.version, message: page.message },
          },
        }),
      signal,
    );
    return this.toPage(updated, updated._links?.base);
  }

  /** One call through the guard, its failure translated into a VendorError the guard acts on. */
  private call<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.guard.call(
      what,
      async () => {
        // confluence.js takes no AbortSignal; at least do not start a call for a cancelled step.
        signal?.throwIfAborted();
        try {
          return await fn();
        } catch (error) {
          throw toVendorError(error, what);
        }
      },
      signal === undefined ? {} : { signal },
    );
  }

  private toPage(page: Page | PageSummary, base: string | undefined): ConfluencePage {
    const id = page.id ?? '';
    if (id === '')
      throw new VendorError('confluence answered with a page without an id', {
        service: SERVICE,
        code: 'invalid_response',
        retryable: false,
      });
    // The page's address is what Confluence says it is: its site base plus the web UI path.
    const webui = page._links?.webui ?? `/pages/viewpage.action?pageId=${id}`;
    return {
      id,
      title: page.title ?? '',
      version: page.version?.number ?? 1,
      url: `${base ?? `${this.site}/wiki`}${webui}`,
    };
  }
}

/** The SDK types ids as numbers (the description says int64); page ids fit a double exactly. */
function numericId(id: string): number {
  const n = Number(id);
  if (!/^\d+$/.test(id) || !Number.isSafeInteger(n))
    throw new VendorError(`"${id}" is not a Confluence id`, {
      service: SERVICE,
      code: 'invalid_request',
      retryable: false,
    });
  return n;
}

/** What Confluence said went wrong, from its error body (`{errors: [{title, detail}]}`). */
function describeBody(body: unknown, fallback: string): string {
  if (typeof body === 'string' && body !== '') return body.slice(0, 300);
  if (typeof body !== 'object' || body === null) return fallback;
  const { errors, message } = body as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors)) {
    const parts = errors.map((e: { title?: unknown; detail?: unknown }) =>
      [e.title, e.detail].filter((s) => typeof s === 'string' && s !== '').join(': '),
    );
    if (parts.some((p) => p !== '')) return parts.filter((p) => p !== '').join('; ');
  }
  return typeof message === 'string' && message !== '' ? message : fallback;
}

/**
 * The SDK's error as a VendorError naming the call (`what`): retryable only for 429, 5xx and
 * transient network errors.
 */
export function toVendorError(error: unknown, what: string): unknown {
  if (error instanceof VendorError) return error;
  if (isApiError(error)) {
    const wait = isRateLimitError(error) ? error.retryAfterMs : undefined;
    return httpVendorError(
      SERVICE,
      error.status,
      // Confluence's words, else the status line's (httpVendorError falls back to the status's).
      describeBody(error.body, error.statusText),
      {
        call: what,
        // Only a 429 keeps Retry-After through the SDK; hand it on in milliseconds.
        ...(wait === undefined ? {} : { headers: { 'retry-after-ms': String(wait) } }),
        cause: error,
      },
    );
  }
  if (isNetworkError(error)) {
    if (error.transient) return networkVendorError(SERVICE, error, what);
    return new VendorError(`cannot reach Confluence (${what}): ${error.message}`, {
      service: SERVICE,
      code: 'network_error',
      retryable: false,
      cause: error,
    });
  }
  if (isSchemaMismatchError(error))
    return new VendorError(`Confluence ${what} answered in an unexpected shape: ${error.message}`, {
      service: SERVICE,
      code: 'invalid_response',
      retryable: false,
      cause: error,
    });
  return error;
}
