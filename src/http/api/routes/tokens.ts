import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { issueToken, revokeToken, TOKEN_ROLES } from '../../../security/api-tokens.js';
import { problem } from '../../problem.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idParams, tokenSchema } from '../schemas.js';
import { tokenView } from '../views.js';

const DAY_MS = 24 * 60 * 60 * 1000;

const createBody = z.strictObject({
  name: z.string().regex(/^[\w.@:-]{1,64}$/, {
    error: 'expected 1 to 64 letters, digits or . _ - @ :',
  }),
  role: z.enum(TOKEN_ROLES),
  expires_in_days: z.number().int().min(1).max(3650).optional().describe('default: never'),
});

const createdSchema = tokenSchema
  .extend({ token: z.string().describe('the token: shown this once, stored only as a hash') })
  .meta({ id: 'NewApiToken' });

const admin = { role: 'admin', tag: 'tokens' } as const;

export interface TokenRouteHooks {
  /** Called once a token is revoked: what it opened (event streams) closes. */
  readonly revoked?: () => Promise<void>;
}

export function tokenRoutes(app: App, hooks: TokenRouteHooks = {}): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/tokens',
      ...admin,
      summary: 'API tokens (never the tokens themselves)',
      responses: {
        200: { description: 'the tokens', schema: z.object({ items: z.array(tokenSchema) }) },
      },
      async handler() {
        return { items: (await app.store.tokens.list()).map(tokenView) };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/tokens',
      ...admin,
      summary: 'Create an API token; the answer is the only time it is shown',
      body: createBody,
      responses: { 201: { description: 'the token', schema: createdSchema } },
      audit: { action: 'token.create', target: 'api_token', self: true },
      async handler({ body, principal, reply }) {
        const { token, record } = await issueToken(app.store, {
          name: body.name,
          role: body.role,
          createdBy: principal.actor,
          ...(body.expires_in_days === undefined
            ? {}
            : { expiresAt: new Date(Date.now() + body.expires_in_days * DAY_MS) }),
        });
        reply.code(201).header('Cache-Control', 'no-store');
        return { ...tokenView(record), token };
      },
    }),
    defineRoute({
      method: 'DELETE',
      url: '/tokens/:id',
      ...admin,
      summary: 'Revoke an API token (at once: its next request is refused)',
      params: idParams,
      responses: { 204: { description: 'revoked' } },
      audit: { action: 'token.revoke', target: 'api_token', self: true },
      async handler({ params, principal, reply }) {
        if (!(await revokeToken(app.store, params.id, principal.actor))) {
          const token = await app.store.tokens.get(params.id);
          throw token === null
            ? problem(404, 'not-found', `there is no token ${JSON.stringify(params.id)}`)
            : problem(409, 'already-revoked', `the token "${token.name}" was already revoked`);
        }
        await hooks.revoked?.();
        return reply.code(204).send();
      },
    }),
  ];
}
