import type { Handler, HandlerRequest } from '../kit/vendor-server.js';
import { confluenceError } from './confluence-errors.js';
import type { ConfluenceServer } from './confluence-server.js';
import { xhtmlProblem } from './xhtml.js';

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
    throw confluenceError(400, 'this test server only stores the storage representation');
  const value = storage.value ?? '';
  const problem = xhtmlProblem(value);
  if (problem !== undefined) throw confluenceError(400, `Error parsing xhtml: ${problem}`);
  return value;
}
/** The operations aidev calls, by operation id, over the server's spaces and pages. */
export function confluenceHandlers(server: () => ConfluenceServer): Record<string, Handler> {
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
      if (space === undefined) throw confluenceError(404, null);
      return {
        body: { ...s.spaceJson(space), _links: { webui: `/spaces/${space.key}`, base: s.base } },
      };
    },
    getPagesInSpace: (request) => {
      const s = self(request);
      const id = request.params.id ?? '';
      if (!s.spaces.has(id)) throw confluenceError(404, null);
      return pagesOf(s, request, [id]);
    },
    getPages: (request) => pagesOf(self(request), request, list(request.query['space-id'])),
    getPageById: (request) => {
      const s = self(request);
      const page = s.storedPages.get(request.params.id ?? '');
      if (page === undefined) throw confluenceError(404, null);
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
      if (space === undefined) throw confluenceError(404, `No space with id ${body.spaceId}`);
      if ((body.status ?? 'current') === 'current' && (body.title ?? '') === '')
        throw confluenceError(400, 'Title is required for a published page');
      if (body.title !== undefined && titleTaken(s, space.id, body.title))
        throw confluenceError(
          400,
          `A page with this title already exists: A page already exists with the same TITLE in this space`,
        );
      const parentId = body.parentId ?? space.homepageId;
      if (s.storedPages.get(parentId)?.spaceId !== space.id)
        throw confluenceError(400, `The parent page ${parentId} is not in space ${space.key}`);
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
      if (page === undefined) throw confluenceError(404, null);
      const body = request.body as {
        id: string;
        status: 'current' | 'draft';
        title: string;
        body: unknown;
        version: { number?: number; message?: string };
        parentId?: string;
      };
      if (body.id !== page.id)
        throw confluenceError(400, `The id in the body (${body.id}) is not ${page.id}`);
      if (body.version.number !== page.version + 1)
        throw confluenceError(
          409,
          `Version must be incremented on update. Current version is: ${page.version}`,
        );
      if (body.title !== page.title && titleTaken(s, page.spaceId, body.title))
        throw confluenceError(400, 'A page with this title already exists');
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
