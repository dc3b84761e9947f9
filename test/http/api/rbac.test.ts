import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiRoutes } from '../../../src/http/api/api-routes.js';
import { createHttpServer } from '../../../src/http/create-server.js';
import {
  issueToken,
  revokeToken,
  roleAllows,
  type TokenRole,
} from '../../../src/security/api-tokens.js';
import { describeEachBackend } from '../../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  type ApiHarness,
  type ProblemJson as Problem,
} from '../support/api-harness.js';

/** Every call that changes something, with the least role allowed to make it. */
interface MutatingCall {
  readonly action: string;
  readonly role: TokenRole;
  readonly method: string;
  readonly url: () => string;
  readonly body?: () => unknown;
}

let api: ApiHarness;
const fixtures = { runId: '', projectId: '', tokenIds: [] as string[] };

const MUTATING: readonly MutatingCall[] = [
  {
    action: 'run.start',
    role: 'operator',
    method: 'POST',
    url: () => '/runs',
    body: () => ({ workflow: 'gated', inputs: { task_key: 'RBAC-1' } }),
  },
  {
    action: 'run.decide',
    role: 'operator',
    method: 'POST',
    url: () => `/runs/${fixtures.runId}/approval`,
    body: () => ({ decision: 'approve' }),
  },
  {
    action: 'run.cancel',
    role: 'operator',
    method: 'POST',
    url: () => `/runs/${fixtures.runId}/cancel`,
  },
  {
    action: 'task.assign',
    role: 'operator',
    method: 'POST',
    url: () => '/tasks/DEMO-1/assign-to-agent',
    body: () => ({ repository: 'acme/api' }),
  },
  {
    action: 'project.create',
    role: 'admin',
    method: 'POST',
    url: () => '/projects',
    body: () => ({ key: `p-${Date.now()}`, name: 'P' }),
  },
  {
    action: 'project.update',
    role: 'admin',
    method: 'PUT',
    url: () => `/projects/${fixtures.projectId}`,
    body: () => ({ description: 'changed' }),
  },
  {
    action: 'project.delete',
    role: 'admin',
    method: 'DELETE',
    url: () => `/projects/${fixtures.projectId}`,
  },
  {
    action: 'plugin.configure',
    role: 'admin',
    method: 'PUT',
    url: () => '/plugins/documentation/local_docs/config?channel=C-RBAC',
    body: () => ({ settings: {} }),
  },
  {
    action: 'channel.settings.update',
    role: 'admin',
    method: 'PUT',
    url: () => '/channels/C-RBAC/settings',
    body: () => ({ settings: { notifications: 'quiet' } }),
  },
  {
    action: 'token.create',
    role: 'admin',
    method: 'POST',
    url: () => '/tokens',
    body: () => ({ name: `t-${Date.now()}`, role: 'viewer' }),
  },
  {
    action: 'token.revoke',
    role: 'admin',
    method: 'DELETE',
    url: () => `/tokens/${fixtures.tokenIds.pop() ?? 'none'}`,
  },
];

describeEachBackend('who may do what through the API', (database) => {
  const tokenIds: Partial<Record<TokenRole, string>> = {};

  beforeAll(async () => {
    api = await startApi({ database: database() });
    api.workflow('gated', APPROVAL_WORKFLOW);
    for (const token of await api.app.store.tokens.list()) tokenIds[token.role] = token.id;
    const started = await api.app.engine.startRun({
      workflow: 'gated',
      inputs: { task_key: 'RBAC-0' },
      trigger: 'api',
    });
    fixtures.runId = started.run.id;
    await api.waitFor(fixtures.runId, ['waiting']);
    fixtures.projectId = (await api.app.store.projects.create({ key: 'rbac', name: 'RBAC' })).id;
    for (let i = 0; i < 3; i++)
      fixtures.tokenIds.push(
        (await issueToken(api.app.store, { name: `spare-${i}`, role: 'viewer', createdBy: 'test' }))
          .record.id,
      );
  });
  afterAll(async () => {
    await api.stop();
  });

  for (const role of ['viewer', 'operator', 'admin'] as const)
    it(`lets the ${role} role make exactly the changes it allows, each written to the audit log`, async () => {
      for (const call of MUTATING) {
        const before = (await api.app.store.audit.list({ limit: 1 }))[0]?.id ?? 0;
        const url = call.url();
        const response = await api.call<Problem>(call.method, url, {
          token: api.tokens[role],
          ...(call.body === undefined ? {} : { body: call.body() }),
        });
        const allowed = roleAllows(role, call.role);
        const label = `${role} ${call.method} ${url} → ${response.status} ${response.body?.detail ?? ''}`;
        if (allowed) expect([401, 403, 500], label).not.toContain(response.status);
        else {
          expect(response.status, label).toBe(403);
          expect(response.body.type).toBe('https://aidev.dev/problems/forbidden');
          expect(response.body.detail).toContain(`needs the ${call.role} role`);
        }
        const written = (await api.app.store.audit.list({ limit: 20 })).filter(
          (e) => e.id > before,
        );
        expect(
          written.filter((e) => e.actor === `token:${tokenIds[role]}` && e.action === call.action),
          `audit of ${label}`,
        ).toHaveLength(1);
      }
    });

  it('records a refused change in the audit log as refused, with the token’s name', async () => {
    const [entry] = await api.app.store.audit.list({ actor: `token:${tokenIds.viewer}`, limit: 1 });
    expect(entry?.metadata).toMatchObject({
      token_name: 'test-viewer',
      status: 403,
      refused: true,
    });
  });

  it('answers 401 on every route without a token, or with an unknown, revoked or expired one', async () => {
    const document = await api.call<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
      {
        token: api.tokens.viewer,
      },
    );
    const revoked = await issueToken(api.app.store, {
      name: 'gone',
      role: 'admin',
      createdBy: 'test',
    });
    await revokeToken(api.app.store, revoked.record.id, 'test');
    const expired = await issueToken(api.app.store, {
      name: 'old',
      role: 'admin',
      createdBy: 'test',
      expiresAt: new Date(Date.now() - 1000),
    });
    const cases: [string | null, string][] = [
      [null, 'needs an API token'],
      ['aidev_notatokenatall', 'not one aidev issued'],
      [`aidev_${'x'.repeat(43)}`, 'not one aidev issued'],
      [revoked.token, 'was revoked'],
      [expired.token, 'expired at'],
    ];
    const routes = Object.entries(document.body.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map(
        (method) => [method.toUpperCase(), path.replace(/\{\w+\}/g, 'x')] as const,
      ),
    );
    expect(routes.length).toBeGreaterThan(20);
    for (const [method, path] of [...routes, ['GET', '/openapi.json'] as const])
      for (const [token, detail] of cases) {
        const response = await api.call<Problem>(
          method === 'GET' && path === '/events' ? 'GET' : method,
          path,
          {
            token,
            ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
          },
        );
        expect(response.status, `${method} ${path} with ${token ?? 'no token'}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="aidev"');
        expect(response.body.detail).toContain(detail);
      }
  });

  it('leaves health, readiness and metrics open', async () => {
    for (const path of ['/health', '/api/v1/health', '/ready', '/metrics'])
      expect((await fetch(api.base + path)).status, path).toBe(200);
  });

  it('limits each token’s rate with 429, Retry-After and problem+json, others unaffected', async () => {
    const limited = await createHttpServer({
      app: api.app,
      routes: [apiRoutes(api.app, { rateLimit: { perSecond: 1, burst: 2 } })],
    });
    await limited.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(limited.server.address() as AddressInfo).port}/api/v1`;
    const get = (token: string) =>
      fetch(`${base}/projects`, { headers: { authorization: `Bearer ${token}` } });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(api.tokens.viewer)).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await get(api.tokens.viewer);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(((await refused.json()) as Problem).type).toBe(
        'https://aidev.dev/problems/rate-limited',
      );
      expect((await get(api.tokens.operator)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
