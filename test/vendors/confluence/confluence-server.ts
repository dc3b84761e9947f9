import { confluenceDescription } from '../kit/descriptions.js';
import { VendorServer, type HandlerRequest } from '../kit/vendor-server.js';
import { confluenceError, confluenceErrorBody } from './confluence-errors.js';
import { confluenceHandlers } from './confluence-handlers.js';

const API_ROOT = '/wiki/api/v2';
const ACCOUNT_ID = '5b10a2844c20165700ede21g';

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
      throw confluenceError(401, 'Authentication credentials are incorrect or missing');
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
