import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { PLUGIN_TYPES } from '../../../plugins/action-signature.js';
import { GLOBAL_SCOPE } from '../../../plugins/plugin-registry.js';
import type { Keyring } from '../../../security/keyring.js';
import { validationProblem } from '../../problem.js';
import {
  configView,
  definitionOr404,
  pluginConfigSchema,
  putChannelConfig,
  putConfigBody,
} from '../plugin-config.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText } from '../schemas.js';

const pluginParams = z.strictObject({
  type: z.enum(PLUGIN_TYPES),
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/, { error: 'expected a plugin name such as github' }),
});
const scopeQuery = z.strictObject({
  channel: idText.optional().describe('a channel’s own configuration; default the global one'),
});

const listSchema = z.object({
  items: z.array(
    z.object({
      type: z.enum(PLUGIN_TYPES),
      name: z.string(),
      scope: z.string().describe('`*` for every channel, or the channel with its own'),
      healthy: z.boolean(),
      detail: z
        .string()
        .describe(
          'what the plugin said of its health: for admin tokens (vendors echo URLs, paths)',
        ),
    }),
  ),
  available: z.array(
    z.object({
      type: z.enum(PLUGIN_TYPES),
      name: z.string(),
      description: z.string(),
      secret_fields: z.array(z.string()),
    }),
  ),
});

export function pluginRoutes(app: App, keyring: Keyring): ApiRoute[] {
  const deps = { app, keyring };
  return [
    defineRoute({
      method: 'GET',
      url: '/plugins',
      role: 'viewer',
      tag: 'plugins',
      summary:
        'The configured plugins (globally and per channel) with their health, and those available',
      responses: { 200: { description: 'the plugins', schema: listSchema } },
      async handler({ principal }) {
        const health = await app.plugins.health();
        // A vendor's error text may hold an internal URL, a path, even an echoed credential.
        const admin = principal.role === 'admin';
        return {
          items: health.map((h) => ({
            type: h.type,
            name: h.name,
            scope: h.scope,
            healthy: h.ok,
            detail: admin ? h.detail : h.ok ? 'healthy' : 'failing (an admin token shows why)',
          })),
          available: app.plugins.available().map((d) => ({
            ...d,
            secret_fields: [...(app.plugins.definition(d.type, d.name)?.secretFields ?? [])],
          })),
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/plugins/:type/:name/config',
      role: 'viewer',
      tag: 'plugins',
      summary:
        'A plugin’s configuration: settings, and which credentials are set (never their values)',
      params: pluginParams,
      query: scopeQuery,
      responses: { 200: { description: 'the configuration', schema: pluginConfigSchema } },
      async handler({ params, query }) {
        const definition = definitionOr404(app, params.type, params.name);
        return configView(deps, definition, query.channel ?? GLOBAL_SCOPE);
      },
    }),
    defineRoute({
      method: 'PUT',
      url: '/plugins/:type/:name/config',
      role: 'admin',
      tag: 'plugins',
      summary: 'Set a channel’s own configuration of a plugin; credentials are stored encrypted',
      description:
        'Needs `?channel=`: the global configuration comes from aidev.config.yaml and the environment. The configuration is checked against the plugin, put to work in this server at once, and read by other aidev processes when they start.',
      params: pluginParams,
      query: scopeQuery,
      body: putConfigBody,
      responses: {
        200: {
          description: 'the configuration, and the plugin’s health with it',
          schema: pluginConfigSchema.extend({
            health: z.object({ ok: z.boolean(), detail: z.string() }),
          }),
        },
      },
      audit: { action: 'plugin.configure', target: 'plugin_configuration' },
      async handler({ params, query, body, principal, request }) {
        const definition = definitionOr404(app, params.type, params.name);
        if (query.channel === undefined)
          throw validationProblem([
            {
              path: 'channel',
              in: 'query',
              message:
                'expected a channel: the global configuration comes from aidev.config.yaml and the environment',
            },
          ]);
        const { view, before, health } = await putChannelConfig(
          deps,
          definition,
          query.channel,
          body,
          principal,
        );
        request.auditDetail = {
          targetId: `${params.type}/${params.name}/${query.channel}`,
          before: before === null ? null : auditable(before),
          after: auditable(view),
        };
        return { ...view, health };
      },
    }),
  ];
}

/** What the audit log keeps of a configuration: settings and which credentials are set. */
function auditable(view: { settings: unknown; secrets_set: string[]; enabled: boolean }) {
  return { settings: view.settings, secrets_set: view.secrets_set, enabled: view.enabled };
}
