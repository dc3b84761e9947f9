import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpServer } from '../../src/http/create-server.js';
import { describeEachBackend } from '../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  type ApiHarness,
  type ProblemJson,
} from '../http/support/api-harness.js';
import {
  cursorOf,
  expectClosed,
  expectRefusal,
  incompressible,
  nested,
  openStream,
  RUN_ID,
  VENDOR_SECRET,
  type OpenApi,
} from './support/api-attack-tools.js';

/** Attacks on the REST API with a viewer's or an operator's token, as a hostile client. */

let api: ApiHarness;

describeEachBackend('API attacks', (database) => {
  beforeAll(async () => {
    // Tokens of open streams are read again every 100 ms: a revocation elsewhere shows soon.
    // One channel's own documentation plugin cannot start, and its error echoes a credential.
    await database().store.plugins.upsert({
      pluginType: 'documentation',
      pluginName: 'local_docs',
      scope: 'C-BROKEN',
      settings: { directory: `/dev/null/${VENDOR_SECRET}` },
    });
    api = await startApi({ database: database(), api: { events: { tokenCheckMs: 100 } } });
    api.workflow('gated', APPROVAL_WORKFLOW);
  });
  afterAll(async () => {
    await api.stop();
  });

  it('refuses a crafted ?cursor= that the database would not read (422, never 500)', async () => {
    for (const forged of [
      `1|${RUN_ID}`,
      `Tuesday 2020|${RUN_ID}`,
      `2020-02-30T00:00:00+00:00|${RUN_ID}`,
      `2020-01-01T00:00:00\u0000+00:00|${RUN_ID}`,
      `2020-01-01T00:00:00+00:00|${RUN_ID}|more`,
    ])
      expectRefusal(
        await api.call('GET', `/runs?cursor=${cursorOf(forged)}`, { token: api.tokens.viewer }),
        'cursor',
        /expected a next_cursor/,
      );
  });

  it('refuses a NUL byte (or a lone surrogate) in a filter, a path id and a body field (422, never 500)', async () => {
    const viewer = { token: api.tokens.viewer };
    for (const [url, field] of [
      ['/runs?channel=C%00X', 'channel'],
      ['/runs?user=U%00X', 'user'],
      ['/costs?channel=C%00X', 'channel'],
      ['/tasks?project=P%00X', 'project'],
      ['/projects/p%00x', 'id'],
      ['/channels/C%00X/settings', 'id'],
      ['/plugins/documentation/local_docs/config?channel=C%00X', 'channel'],
    ] as const)
      expectRefusal(await api.call('GET', url, viewer), field, /NUL/);
    const operator = { token: api.tokens.operator };
    expectRefusal(
      await api.call('POST', '/runs', {
        ...operator,
        body: { workflow: 'gated', inputs: { task_key: 'K-1\u0000' } },
      }),
      'inputs.task_key',
      /NUL/,
    );
    expectRefusal(
      await api.call('POST', '/tasks/K-1/assign-to-agent', {
        ...operator,
        body: { repository: 'o/r', channel: 'C\u0000' },
      }),
      'channel',
      /NUL/,
    );
    expectRefusal(
      await api.call('POST', '/projects', { body: { key: 'nul', name: 'N\u0000' } }),
      'name',
      /NUL/,
    );
    expectRefusal(
      await api.call('PUT', '/channels/C1/settings', {
        body: { settings: { repository: 'o/r\u0000' } },
      }),
      'settings.repository',
      /NUL/,
    );
    // JSON can carry half a surrogate pair; the database's JSON cannot store it either.
    expectRefusal(
      await api.call('POST', '/runs', {
        ...operator,
        body: { workflow: 'gated', inputs: { task_key: 'K-1\ud800' } },
      }),
      'inputs.task_key',
      /well-formed Unicode, found a lone surrogate/,
    );
  });

  it('refuses a 4,000-character Idempotency-Key or channel (422, never 500)', async () => {
    const operator = { token: api.tokens.operator };
    const run = { workflow: 'gated', inputs: { task_key: 'K-2' } };
    expectRefusal(
      await api.call('POST', '/runs', {
        ...operator,
        body: run,
        headers: { 'idempotency-key': incompressible(4_000) },
      }),
      'idempotency-key',
      /expected 1 to 255/,
    );
    expectRefusal(
      await api.call('POST', '/runs', {
        ...operator,
        body: { ...run, channel: incompressible(4_000) },
      }),
      'channel',
      /expected at most 200 characters/,
    );
    expectRefusal(
      await api.call('GET', `/runs?channel=${incompressible(4_000)}`, operator),
      'channel',
      /expected at most 200 characters/,
    );
    expectRefusal(
      await api.call(
        'PUT',
        `/plugins/documentation/local_docs/config?channel=${incompressible(4_000)}`,
        {
          body: { settings: {} },
        },
      ),
      'channel',
      /expected at most 200 characters/,
    );
  });

  it('refuses inputs.approvers nested 5,000 deep, and deep JSON anywhere (422, never 500)', async () => {
    const operator = { token: api.tokens.operator };
    expectRefusal(
      await api.call('POST', '/runs', {
        ...operator,
        body: `{"workflow":"implement-task","inputs":{"task_key":"K-3","repository":"o/r","approvers":${nested(5_000)}}}`,
      }),
      `inputs.approvers${'[0]'.repeat(30)}`,
      /expected at most 32 levels of nesting/,
    );
    expectRefusal(
      await api.call('POST', '/tasks/K-3/assign-to-agent', {
        ...operator,
        body: `{"repository":"o/r","approvers":${nested(5_000)}}`,
      }),
      `approvers${'[0]'.repeat(31)}`,
      /expected at most 32 levels of nesting/,
    );
    const deep = await api.call('POST', '/workflows/validate', {
      token: api.tokens.viewer,
      body: nested(100_000),
    });
    expect(deep.status, JSON.stringify(deep.body)).toBe(422);
  });

  it('refuses malformed bodies with problem+json saying what was expected and found', async () => {
    const post = async (body: string, type = 'application/json') => {
      const response = await fetch(`${api.base}/api/v1/runs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.tokens.operator}`, 'content-type': type },
        body,
      });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      const problem = (await response.json()) as ProblemJson;
      expect(problem.detail).toMatch(/^expected .*, found /);
      return response.status;
    };
    expect(await post('{"workflow":')).toBe(400);
    expect(await post('{"workflow":"gated","__proto__":{"admin":true}}')).toBe(400);
    expect(await post('')).toBe(400);
    expect(await post(JSON.stringify({ workflow: 'x'.repeat(1_100_000) }))).toBe(413);
    expect(await post('<run/>', 'application/xml')).toBe(415);
  });

  it('answers 414 and 431 as problem+json, and documents every status it answers', async () => {
    const document = (await api.call<OpenApi>('GET', '/openapi.json', { token: api.tokens.viewer }))
      .body;
    const raw = async (url: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${api.base}/api/v1${url}`, {
        headers: { authorization: `Bearer ${api.tokens.viewer}`, ...headers },
      });
      expect(response.headers.get('content-type'), url).toContain('application/problem+json');
      const body = (await response.json()) as ProblemJson;
      expect(body.status).toBe(response.status);
      expect(body.detail).toMatch(/expected .*, found/);
      return response.status;
    };
    expect(await raw(`/runs/${'x'.repeat(4_000)}`)).toBe(414);
    expect(await raw('/runs', { 'x-padding': 'p'.repeat(20_000) })).toBe(431);
    for (const [template, method] of [
      ['/runs/{id}', 'get'],
      ['/runs', 'post'],
      ['/tasks', 'get'],
    ] as const) {
      const listed = Object.keys(document.paths[template]?.[method]?.responses ?? {});
      for (const status of ['400', '401', '403', '422', '429', '431', '500', '503'])
        expect(listed, `${method} ${template}`).toContain(status);
    }
    expect(Object.keys(document.paths['/runs/{id}']?.get?.responses ?? {})).toContain('414');
    expect(Object.keys(document.paths['/runs']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['409', '413', '415']),
    );
    expect(Object.keys(document.paths['/tasks']?.get?.responses ?? {})).toContain('502');
  });

  it('closes the event stream of a token revoked through the API: no event after the 204', async () => {
    const stream = await openStream(api);
    const revoked = await api.call('DELETE', `/tokens/${stream.tokenId}`);
    expect(revoked.status).toBe(204);
    const started = await api.call<{ id: string }>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'WS-1' } },
    });
    await api.waitFor(started.body.id, ['waiting']);
    expect(stream.messages.filter((m) => m.includes(started.body.id))).toEqual([]);
    await expectClosed(stream.closed, /was revoked/);
  });

  it('closes the event stream of a token revoked by another process', async () => {
    const stream = await openStream(api);
    // What `aidev token revoke` or another server does: the row changes, nothing else.
    await api.database.db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1', [
      stream.tokenId,
    ]);
    await expectClosed(stream.closed, /was revoked/);
  });

  it('closes the event stream of a token once it expires', async () => {
    const stream = await openStream(api, new Date(Date.now() + 60 * 60 * 1000));
    // Its hour passes: the expiry is set to a moment ago rather than waited for.
    await api.database.db.query(
      "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1",
      [stream.tokenId],
    );
    await expectClosed(stream.closed, /expired/);
  });

  it('answers /ready without a token with ready or not and the part, nothing a vendor said', async () => {
    const open = await fetch(`${api.base}/ready`);
    const text = await open.text();
    // One channel's broken plugin: that channel is degraded, the instance is ready.
    expect(open.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ status: 'ready', failing: [], degraded: ['channels'] });
    for (const leak of ['hunter2', '/dev/null', 'local_docs', 'C-BROKEN', 'ENOTDIR'])
      expect(text).not.toContain(leak);
    const viewer = await fetch(`${api.base}/ready`, {
      headers: { authorization: `Bearer ${api.tokens.viewer}` },
    });
    expect(await viewer.text()).toBe(text);
    const admin = (await (
      await fetch(`${api.base}/ready`, { headers: { authorization: `Bearer ${api.tokens.admin}` } })
    ).json()) as { degraded: string[]; parts: { name: string; detail: string }[] };
    expect(admin.degraded).toEqual(['channel C-BROKEN']);
    expect(admin.parts.find((p) => p.name.includes('C-BROKEN'))?.detail).toContain('ENOTDIR');
  });

  it('shows what a failing plugin said (a vendor’s text) to admin tokens only', async () => {
    type Plugins = { items: { scope: string; healthy: boolean; detail: string }[] };
    const viewer = await api.call<Plugins>('GET', '/plugins', { token: api.tokens.viewer });
    expect(viewer.body.items.find((p) => p.scope === 'C-BROKEN')).toMatchObject({
      healthy: false,
      detail: 'failing (an admin token shows why)',
    });
    expect(JSON.stringify(viewer.body)).not.toContain('hunter2');
    const admin = await api.call<Plugins>('GET', '/plugins');
    expect(admin.body.items.find((p) => p.scope === 'C-BROKEN')?.detail).toContain('ENOTDIR');
  });

  it('answers a failing /ready without a token with the failing part only', async () => {
    const failure = new Error(`connect ECONNREFUSED 10.0.0.5:5432 (${VENDOR_SECRET})`);
    const broken = await createHttpServer({
      app: { ...api.app, jobs: { ...api.app.jobs, stats: () => Promise.reject(failure) } },
    });
    const response = await broken.inject({ method: 'GET', url: '/ready' });
    await broken.close();
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ detail: 'not ready: jobs', failing: ['jobs'] });
    for (const leak of ['hunter2', '10.0.0.5', 'ECONNREFUSED', 'C-BROKEN'])
      expect(response.body).not.toContain(leak);
  });
});
