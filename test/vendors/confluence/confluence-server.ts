import { confluenceDescription } from '../kit/descriptions.js';
import {
  VendorHttpError,
  VendorServer,
  type Handler,
  type HandlerRequest,
} from '../kit/vendor-server.js';
import { xhtmlProblem } from './xhtml.js';

const API_ROOT = '/wiki/api/v2';
const ACCOUNT_ID = '5b10a2844c20165700ede21g';

/** Confluence v2's error codes by status, as its error bodies carry them. */
const ERROR_CODES: Readonly<Record<number, [string, string]>> = {
  400: ['INVALID_REQUEST_PARAMETER', 'Bad Request'],
  401: ['UNAUTHORIZED', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not Found'],
  409: ['CONFLICT', 'Conflict'],
  429: ['TOO_MANY_REQUESTS', 'Too Many Requests'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal Server Error'],
  501: ['NOT_IMPLEMENTED', 'Not Implemented'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
};

/** Confluence v2's error body: `{errors: [{status, code, title, detail}]}`. */
export function confluenceErrorBody(status: number, detail: string | null) {
  const [code, title] = ERROR_CODES[status] ?? ['ERROR', `HTTP ${status}`];
  return { errors: [{ status, code, title, detail }] };
}

function error(status: number, detail: string | null): VendorHttpError {
  return new VendorHttpError(status, confluenceErrorBody(status, detail));
}

export interface StoredSpace {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly homepageId: string;
}

export interface StoredPage {
  readonly id: string;
  readonly spaceId: string;
  title: string;
  parentId: string | null;
  status: 'current' | 'draft';
  /** The storage-format (XHTML) body. */
  body: string;
  version: number;
  versionMessage: string;
  readonly createdAt: string;
  isHomepage: boolean;
}

/**
 * A local Confluence Cloud (REST API v2) for the endpoints aidev uses: spaces and pages with
 * versions, Basic auth, Confluence's error bodies and status codes, and every request validated
 * against Atlassian's published description. Page bodies must be well-formed storage XHTML, as
 * Confluence requires.
 */
export class ConfluenceServer {
  readonly spaces = new Map<string, StoredSpace>();
  readonly storedPages = new Map<string, StoredPage>();
  // Ids keep counting across resets, so a cached id from an earlier test never matches by luck.
  private nextId = 65_000;

  private constructor(
    readonly http: VendorServer,
    private readonly authorization: string,
  ) {}

  static async start(options: { email: string; apiToken: string }): Promise<ConfluenceServer> {
    const holder: { server?: ConfluenceServer } = {};
    const http = new VendorServer({
      name: 'Confluence',
      definition: await confluenceDescription(),
      apiRoot: API_ROOT,
      handlers: confluenceHandlers(() => holder.server as ConfluenceServer),
      errorBody: (status, message) => confluenceErrorBody(status, message),
    });
    const basic = Buffer.from(`${options.email}:${options.apiToken}`).toString('base64');
    holder.server = new ConfluenceServer(http, `Basic ${basic}`);
    await http.start();
    return holder.server;
  }

  /** The site URL, as the plugin's `url` takes it (the API lives under /wiki). */
  get url(): string {
    return this.http.url;
  }

  /** A space with this key and its homepage (where pages without a parent go). */
  givenSpace(key: string, name = `${key} space`): StoredSpace {
    const id = this.takeId();
    const home = this.addPage({ spaceId: id, title: `${name} Home`, body: '<p>Welcome</p>' });
    home.isHomepage = true;
    const space = { id, key, name, homepageId: home.id };
    this.spaces.set(id, space);
    return space;
  }

  /** A page someone already wrote, under the space's homepage unless a parent is given. */
  givenPage(key: string, title: string, options: { body?: string; parentId?: string } = {}) {
    const space = this.spaceByKey(key);
    if (space === undefined) throw new Error(`no space ${key}: call givenSpace first`);
    return this.addPage({
      spaceId: space.id,
      title,
      body: options.body ?? '<p>Written by hand</p>',
      parentId: options.parentId ?? space.homepageId,
    });
  }

  /** Every page aidev could have written (space homepages left out), with its storage body. */
  pages(): { id: string; title: string; body: string; version: number; parentId: string | null }[] {
    return [...this.storedPages.values()]
      .filter((p) => !p.isHomepage)
      .map(({ id, title, body, version, parentId }) => ({ id, title, body, version, parentId }));
  }

  page(title: string): StoredPage | undefined {
    return [...this.storedPages.values()].find((p) => p.title === title);
  }

  reset(): void {
    this.spaces.clear();
    this.storedPages.clear();
    this.http.resetTraffic();
  }

  close(): Promise<void> {
    return this.http.close();
  }

  checkAuth(request: HandlerRequest): void {
    if (request.headers.authorization !== this.authorization)
      throw error(401, 'Authentication credentials are incorrect or missing');
  }

  spaceByKey(key: string): StoredSpace | undefined {
    return [...this.spaces.values()].find((s) => s.key === key);
  }

  addPage(page: { spaceId: string; title: string; body: string; parentId?: string | null }) {
    const stored: StoredPage = {
      id: this.takeId(),
      spaceId: page.spaceId,
      title: page.title,
      parentId: page.parentId ?? null,
      status: 'current',
      body: page.body,
      version: 1,
      versionMessage: '',
      createdAt: new Date().toISOString(),
      isHomepage: false,
    };
    this.storedPages.set(stored.id, stored);
    return stored;
  }

  private takeId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  spaceJson(space: StoredSpace) {
    return {
      id: space.id,
      key: space.key,
      name: space.name,
      type: 'global',
      status: 'current',
      authorId: ACCOUNT_ID,
      createdAt: '2024-01-01T00:00:00.000Z',
      homepageId: space.homepageId,
      _links: { webui: `/spaces/${space.key}` },
    };
  }

  pageJson(page: StoredPage, options: { withBody?: boolean; withBase?: boolean } = {}) {
    const space = this.spaces.get(page.spaceId);
    const slug = encodeURIComponent(page.title).replaceAll('%20', '+');
    return {
      id: page.id,
      status: page.status,
      title: page.title,
      spaceId: page.spaceId,
      parentId: page.parentId ?? undefined,
      parentType: page.parentId === null ? undefined : 'page',
      position: 0,
      authorId: ACCOUNT_ID,
      ownerId: ACCOUNT_ID,
      lastOwnerId: null,
      createdAt: page.createdAt,
      version: {
        createdAt: page.createdAt,
        message: page.versionMessage,
        number: page.version,
        minorEdit: false,
        authorId: ACCOUNT_ID,
      },
      body:
        options.withBody === true
          ? { storage: { representation: 'storage', value: page.body } }
          : {},
      _links: {
        webui: `/spaces/${space?.key ?? ''}/pages/${page.id}/${slug}`,
        editui: `/pages/resumedraft.action?draftId=${page.id}`,
        tinyui: `/x/${Number(page.id).toString(36)}`,
        ...(options.withBase === true ? { base: this.base } : {}),
      },
    };
  }

  get base(): string {
    return `${this.url}/wiki`;
  }
}

const list = (value: string | string[] | undefined): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));

/** The storage value of a write request's `body` (`{representation, value}` or `{storage: …}`). */
function storageOf(body: unknown): string {
  const write = body as {
    representation?: string;
    value?: string;
    storage?: { representation?: string; value?: string };
  };
  const storage = write.storage ?? write;
  if (storage.representation !== undefined && storage.representation !== 'storage')
    throw error(400, 'this test server only stores the storage representation');
  const value = storage.value ?? '';
  const problem = xhtmlProblem(value);
  if (problem !== undefined) throw error(400, `Error parsing xhtml: ${problem}`);
  return value;
}

function confluenceHandlers(server: () => ConfluenceServer): Record<string, Handler> {
  const self = (request: HandlerRequest) => {
    server().checkAuth(request);
    return server();
  };
  const pagesOf = (s: ConfluenceServer, request: HandlerRequest, spaceIds: string[]) => {
    const titles = request.query.title;
    const statuses = list(request.query.status);
    const wanted = statuses.length === 0 ? ['current', 'archived'] : statuses;
    const limit = Number(request.query.limit ?? 25);
    const results = [...s.storedPages.values()]
      .filter((p) => spaceIds.length === 0 || spaceIds.includes(p.spaceId))
      .filter((p) => titles === undefined || p.title === titles)
      .filter((p) => wanted.includes(p.status))
      .slice(0, limit)
      .map((p) => s.pageJson(p, { withBody: request.query['body-format'] === 'storage' }));
    return { body: { results, _links: { base: s.base } } };
  };
  return {
    getSpaces: (request) => {
      const s = self(request);
      const keys = list(request.query.keys);
      const results = [...s.spaces.values()]
        .filter((space) => keys.length === 0 || keys.includes(space.key))
        .map((space) => s.spaceJson(space));
      return { body: { results, _links: { base: s.base } } };
    },
    getSpaceById: (request) => {
      const s = self(request);
      const space = s.spaces.get(request.params.id ?? '');
      if (space === undefined) throw error(404, null);
      return {
        body: { ...s.spaceJson(space), _links: { webui: `/spaces/${space.key}`, base: s.base } },
      };
    },
    getPagesInSpace: (request) => {
      const s = self(request);
      const id = request.params.id ?? '';
      if (!s.spaces.has(id)) throw error(404, null);
      return pagesOf(s, request, [id]);
    },
    getPages: (request) => pagesOf(self(request), request, list(request.query['space-id'])),
    getPageById: (request) => {
      const s = self(request);
      const page = s.storedPages.get(request.params.id ?? '');
      if (page === undefined) throw error(404, null);
      return {
        body: s.pageJson(page, {
          withBody: request.query['body-format'] === 'storage',
          withBase: true,
        }),
      };
    },
    createPage: (request) => {
      const s = self(request);
      const body = request.body as {
        spaceId: string;
        status?: 'current' | 'draft';
        title?: string;
        parentId?: string;
        body?: unknown;
      };
      const space = s.spaces.get(body.spaceId);
      if (space === undefined) throw error(404, `No space with id ${body.spaceId}`);
      if ((body.status ?? 'current') === 'current' && (body.title ?? '') === '')
        throw error(400, 'Title is required for a published page');
      if (body.title !== undefined && titleTaken(s, space.id, body.title))
        throw error(
          400,
          `A page with this title already exists: A page already exists with the same TITLE in this space`,
        );
      const parentId = body.parentId ?? space.homepageId;
      if (s.storedPages.get(parentId)?.spaceId !== space.id)
        throw error(400, `The parent page ${parentId} is not in space ${space.key}`);
      const page = s.addPage({
        spaceId: space.id,
        title: body.title ?? '',
        body: storageOf(body.body ?? {}),
        parentId,
      });
      page.status = body.status ?? 'current';
      // The description answers a created page with 200, not 201.
      return { status: 200, body: s.pageJson(page, { withBody: true, withBase: true }) };
    },
    updatePage: (request) => {
      const s = self(request);
      const page = s.storedPages.get(request.params.id ?? '');
      if (page === undefined) throw error(404, null);
      const body = request.body as {
        id: string;
        status: 'current' | 'draft';
        title: string;
        body: unknown;
        version: { number?: number; message?: string };
        parentId?: string;
      };
      if (body.id !== page.id)
        throw error(400, `The id in the body (${body.id}) is not ${page.id}`);
      if (body.version.number !== page.version + 1)
        throw error(
          409,
          `Version must be incremented on update. Current version is: ${page.version}`,
        );
      if (body.title !== page.title && titleTaken(s, page.spaceId, body.title))
        throw error(400, 'A page with this title already exists');
      page.body = storageOf(body.body);
      page.title = body.title;
      page.status = body.status;
      page.version = body.version.number;
      page.versionMessage = body.version.message ?? '';
      if (body.parentId !== undefined) page.parentId = body.parentId;
      return { body: s.pageJson(page, { withBody: true, withBase: true }) };
    },
  };
}

function titleTaken(s: ConfluenceServer, spaceId: string, title: string): boolean {
  return [...s.storedPages.values()].some(
    (p) => p.spaceId === spaceId && p.status === 'current' && p.title === title,
  );
}
