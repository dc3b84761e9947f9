import { z } from 'zod';
import { StepError } from '../../engine/step-errors.js';
import { checkTemplate } from '../../plugins/doc-templates.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { VendorError } from '../../resilience/vendor-error.js';
import { ConfluenceApi, type ConfluencePage } from './confluence-api.js';
import { renderStoragePage } from './storage-format.js';

const configSchema = z.strictObject({
  /** The site, e.g. https://acme.atlassian.net (a trailing /wiki is accepted and dropped). */
  url: z
    .url({
      protocol: /^https?$/,
      error: 'expected the Confluence site URL, e.g. https://acme.atlassian.net',
    })
    .transform((url) => url.replace(/\/+$/, '').replace(/\/wiki$/, '')),
  /** The Atlassian account the API token belongs to. */
  email: z.email({ error: 'expected the email address of the Atlassian account' }),
  /** An API token from https://id.atlassian.com/manage-profile/security/api-tokens. */
  api_token: z.string().min(1, { error: 'expected an Atlassian API token' }),
  /** The space pages go to when a step names none: its key, as in /wiki/spaces/ENG. */
  space: z.string().regex(/^~?[A-Za-z0-9_-]+$/, { error: 'expected a space key, e.g. ENG' }),
  /** The title (or id) of the page new pages go under in that space; default: its homepage. */
  parent: z.string().min(1).optional(),
});

type Config = z.output<typeof configSchema>;
type StorageBody = { readonly representation: 'storage'; readonly value: string };

/** Pages in a Confluence Cloud space, through the v2 REST API (confluence.js). */
export const confluence = definePlugin({
  type: 'documentation',
  name: 'confluence',
  description: 'Pages in a Confluence Cloud space',
  configSchema,
  secretFields: ['api_token'],
  create(config: Config, context: PluginContext): Plugin<'documentation'> {
    const api = new ConfluenceApi(
      config.url,
      { email: config.email, apiToken: config.api_token },
      context.guards.for('confluence', config.url),
    );
    // Space keys are what people write; the v2 API wants ids. A space's id never changes.
    const spaceIds = new Map<string, string>();

    async function spaceIdOf(key: string, signal?: AbortSignal): Promise<string> {
      const cached = spaceIds.get(key);
      if (cached !== undefined) return cached;
      const space = await api.spaceByKey(key, signal);
      if (space?.id === undefined)
        throw new StepError(
          `Confluence space "${key}" was not found at ${config.url} (it does not exist, or ${config.email} may not view it)`,
          { code: 'unknown_space' },
        );
      spaceIds.set(key, space.id);
      return space.id;
    }

    /** The page with this title in the space; a space deleted since is looked up afresh. */
    async function pageIn(key: string, title: string, signal: AbortSignal) {
      const spaceId = await spaceIdOf(key, signal);
      try {
        return { spaceId, page: await api.pageByTitle(spaceId, title, signal) };
      } catch (error) {
        if (error instanceof VendorError && error.status === 404) spaceIds.delete(key);
        throw error;
      }
    }

    async function parentIdOf(spaceId: string, key: string, parent: string, signal: AbortSignal) {
      const page = await api.pageByTitle(spaceId, parent, signal);
      if (page !== undefined) return page.id;
      if (/^\d+$/.test(parent)) return parent; // no page has that title: it is a page id
      throw new StepError(
        `the parent page "${parent}" was not found in Confluence space "${key}"`,
        {
          code: 'unknown_parent',
        },
      );
    }

    /** Writes the next version; if someone saved in between (409), once more on top of theirs. */
    async function replace(
      spaceId: string,
      current: ConfluencePage,
      page: { title: string; body: StorageBody; message: string },
      signal: AbortSignal,
    ): Promise<ConfluencePage> {
      const write = (version: number) =>
        api.updatePage({ id: current.id, version, ...page }, signal);
      try {
        return await write(current.version + 1);
      } catch (error) {
        if (!(error instanceof VendorError && error.status === 409)) throw error;
        const fresh = await api.pageByTitle(spaceId, page.title, signal);
        if (fresh?.id !== current.id) throw error;
        return write(fresh.version + 1);
      }
    }

    return {
      type: 'documentation',
      name: 'confluence',
      async connect() {
        await spaceIdOf(config.space);
        context.logger.info(
          { plugin: 'confluence', space: config.space },
          `confluence: writing pages to space ${config.space} at ${config.url}`,
        );
      },
      disconnect: () => Promise.resolve(),
      async health() {
        try {
          const space = await api.spaceByKey(config.space);
          return space === undefined
            ? { ok: false, detail: `space ${config.space} not found at ${config.url}` }
            : { ok: true, detail: `space ${config.space} at ${config.url}` };
        } catch (error) {
          return { ok: false, detail: (error as Error).message };
        }
      },
      actions: {
        async create_page_from_template(input, call) {
          const template = checkTemplate(input.template_type);
          const key = input.space === undefined || input.space === '' ? config.space : input.space;
          const { spaceId, page: existing } = await pageIn(key, input.title, call.signal);
          const body: StorageBody = {
            representation: 'storage',
            value: renderStoragePage(template, {
              content: input.content ?? '',
              runId: call.run.id,
              date: new Date(),
            }),
          };
          const update = {
            title: input.title,
            body,
            message: `Updated by aidev (run ${call.run.id})`,
          };
          let page: ConfluencePage;
          if (existing !== undefined) {
            page = await replace(spaceId, existing, update, call.signal);
          } else {
            // The configured parent is a page of the configured space, not of any other.
            const parent = input.parent ?? (key === config.space ? config.parent : undefined);
            const parentId =
              parent === undefined || parent === ''
                ? undefined
                : await parentIdOf(spaceId, key, parent, call.signal);
            try {
              page = await api.createPage(
                {
                  spaceId,
                  title: input.title,
                  body,
                  ...(parentId === undefined ? {} : { parentId }),
                },
                call.signal,
              );
            } catch (error) {
              // Another run (or an earlier attempt whose answer was lost) made the page first:
              // Confluence refuses a second page with the title (400). Update that one instead.
              if (!(error instanceof VendorError && error.status === 400)) throw error;
              const made = await api.pageByTitle(spaceId, input.title, call.signal);
              if (made === undefined) throw error;
              page = await replace(spaceId, made, update, call.signal);
            }
          }
          call.log.info(
            { plugin: 'confluence', page_id: page.id, space: key, version: page.version },
            `confluence: ${page.version > 1 ? 'updated' : 'created'} page "${input.title}"`,
          );
          return { page_id: page.id, doc_url: page.url };
        },
        async get_page_url(input, call) {
          const key = input.space === undefined || input.space === '' ? config.space : input.space;
          const { page } = await pageIn(key, input.title, call.signal);
          return { doc_url: page?.url ?? null };
        },
      },
    };
  },
});
