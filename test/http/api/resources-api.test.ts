import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../../support/backends.js';
import {
  startApi,
  stepsWorkflow,
  type ApiHarness,
  type ProblemJson as Problem,
} from '../support/api-harness.js';

interface Project {
  id: string;
  key: string;
  repository: string | null;
  tracker_project: string | null;
}

let api: ApiHarness;

describeEachBackend(
  'the workflows, tasks, projects, channels, costs and tokens APIs',
  (database) => {
    beforeAll(async () => {
      api = await startApi({ database: database() });
      for (const [key, title] of [
        ['SHOP-1', 'Round totals to the cent'],
        ['SHOP-2', 'Show the basket'],
      ] as const)
        await api.app.store.tasks.upsert({ source: 'local', key, title, status: 'To Do' });
    });
    afterAll(async () => {
      await api.stop();
    });

    it('lists the workflows with their inputs', async () => {
      const { status, body } = await api.call<{
        items: { name: string; inputs: { name: string; required: boolean }[] }[];
      }>('GET', '/workflows', { token: api.tokens.viewer });
      expect(status).toBe(200);
      const implement = body.items.find((w) => w.name === 'implement-task');
      expect(implement?.inputs.map((i) => i.name)).toEqual(
        expect.arrayContaining(['task_key', 'repository']),
      );
    });

    it('validates a workflow sent as YAML, with every problem at file:line:col', async () => {
      const yaml =
        'name: broken\nsteps:\n  - name: a\n    plugin: version_control\n    action: create_brnch\n    on_error: sometimes\n';
      const response = await fetch(`${api.base}/api/v1/workflows/validate?file=broken.yaml`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.tokens.viewer}`,
          'content-type': 'application/yaml',
        },
        body: yaml,
      });
      const body = (await response.json()) as {
        valid: boolean;
        problems: { where: string; path: string; message: string }[];
      };
      expect(response.status).toBe(200);
      expect(body.valid).toBe(false);
      expect(body.problems.map((p) => p.where)).toEqual(['broken.yaml:5:13', 'broken.yaml:6:15']);
      expect(body.problems[0]?.message).toContain('create_branch');
      const ok = await api.call<{ valid: boolean }>('POST', '/workflows/validate', {
        body: { yaml: stepsWorkflow(1), file: 'fine.yaml' },
      });
      expect(ok.body.valid).toBe(true);
    });

    it('reads tasks from the tracker, and a missing one is a 404', async () => {
      const list = await api.call<{ items: { key: string }[] }>('GET', '/tasks?project=SHOP', {
        token: api.tokens.viewer,
      });
      expect(list.body.items.map((t) => t.key)).toEqual(['SHOP-1', 'SHOP-2']);
      const one = await api.call<{ key: string; title: string }>('GET', '/tasks/SHOP-2');
      expect(one.body).toMatchObject({ key: 'SHOP-2', title: 'Show the basket' });
      const missing = await api.call<Problem>('GET', '/tasks/SHOP-99');
      expect(missing.status).toBe(404);
      expect(missing.body.detail).toContain('no task SHOP-99');
      const noProject = await api.call<Problem>('GET', '/tasks');
      expect(noProject.body.errors).toEqual([
        expect.objectContaining({ path: 'project', in: 'query' }),
      ]);
    });

    it('keeps projects: create, read by id or key, change, refuse a duplicate, delete', async () => {
      const created = await api.call<Project>('POST', '/projects', {
        body: {
          key: 'shop',
          name: 'Shop',
          repository: 'acme/shop',
          tracker_project: 'SHOP',
          docs_space: 'ENG',
        },
      });
      expect(created.status).toBe(201);
      const byKey = await api.call<Project>('GET', '/projects/shop', { token: api.tokens.viewer });
      expect(byKey.body.id).toBe(created.body.id);
      const changed = await api.call<Project>('PUT', `/projects/${created.body.id}`, {
        body: { docs_space: null },
      });
      expect(changed.body).toMatchObject({ repository: 'acme/shop', docs_space: null });
      const duplicate = await api.call<Problem>('POST', '/projects', {
        body: { key: 'shop', name: 'Again' },
      });
      expect(duplicate.status).toBe(409);
      const invalid = await api.call<Problem>('POST', '/projects', {
        body: { key: 'Not Valid', name: '' },
      });
      expect(invalid.body.errors?.map((e) => e.path)).toEqual(['key', 'name']);
      const list = await api.call<{ items: Project[] }>('GET', '/projects');
      expect(list.body.items.map((p) => p.key)).toEqual(['shop']);
    });

    it('assigns a task to the agent with the repository of the project its key belongs to', async () => {
      const assigned = await api.call<{
        id: string;
        workflow: string;
        inputs: Record<string, unknown>;
        project_id: string;
      }>('POST', '/tasks/SHOP-1/assign-to-agent', { token: api.tokens.operator, body: {} });
      expect(assigned.status).toBe(202);
      expect(assigned.body).toMatchObject({
        workflow: 'implement-task',
        inputs: { task_key: 'SHOP-1', repository: 'acme/shop' },
      });
      await api.call('POST', `/runs/${assigned.body.id}/cancel`);
      const nowhere = await api.call<Problem>('POST', '/tasks/OTHER-1/assign-to-agent', {
        body: {},
      });
      expect(nowhere.status).toBe(422);
      expect(nowhere.body.errors?.[0]?.path).toBe('repository');
      await api.call('DELETE', '/projects/shop');
      expect((await api.call('GET', '/projects/shop')).status).toBe(404);
    });

    it('changes channel settings by version, with 409 when they changed in between', async () => {
      const empty = await api.call<{ version: number }>('GET', '/channels/C-API/settings', {
        token: api.tokens.viewer,
      });
      expect(empty.body.version).toBe(0);
      const first = await api.call<{ version: number; settings: Record<string, unknown> }>(
        'PUT',
        '/channels/C-API/settings',
        {
          body: { settings: { repository: 'acme/api', budget_per_run: '2.50' }, version: 0 },
        },
      );
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"1"');
      expect(first.body).toMatchObject({
        version: 1,
        settings: { repository: 'acme/api', budget_per_run: '2.50' },
      });
      const stale = await api.call<Problem>('PUT', '/channels/C-API/settings', {
        body: { settings: { repository: 'acme/other' } },
        headers: { 'if-match': '"0"' },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.detail).toContain('at version 1, not 0');
      const concurrent = await Promise.all(
        ['acme/one', 'acme/two'].map((repository) =>
          api.call<Problem>('PUT', '/channels/C-API/settings', {
            body: { settings: { repository }, version: 1 },
          }),
        ),
      );
      expect(concurrent.map((r) => r.status).sort()).toEqual([200, 409]);
      const invalid = await api.call<Problem>('PUT', '/channels/C-API/settings', {
        body: { settings: { budget_per_run: 'lots', colour: 'red' } },
      });
      expect(invalid.status).toBe(422);
      expect(invalid.body.errors?.map((e) => e.path)).toEqual([
        'settings.budget_per_run',
        'settings.colour',
      ]);
      const audit = await api.app.store.audit.list({ targetType: 'channel', targetId: 'C-API' });
      expect(audit.map((e) => e.action)).toContain('channel.settings.update');
    });

    it('reports a month’s costs against budgets, grouped as asked', async () => {
      const { run } = await api.app.engine.startRun({
        workflow: 'implement-task',
        trigger: 'api',
        inputs: { task_key: 'SHOP-2', repository: 'acme/shop' },
        channelId: 'C-API',
      });
      await api.app.engine.cancel(run.id, 'test');
      for (const [model, usd] of [
        ['claude-sonnet-5-5', '0.0300000000'],
        ['claude-haiku-5', '0.0020000000'],
      ] as const)
        await api.app.store.costs.record({
          runId: run.id,
          channelId: 'C-API',
          userId: 'U1',
          provider: 'anthropic',
          model,
          inputTokens: 1000,
          outputTokens: 100,
          cacheWriteTokens: 0,
          cacheReadTokens: 0,
          usd,
        });
      const report = await api.call<{
        total_usd: string;
        budgets: { scope: string }[];
        lines: { key: string; usd: string }[];
      }>('GET', '/costs?channel=C-API&group_by=model', { token: api.tokens.viewer });
      expect(report.status).toBe(200);
      expect(Number(report.body.total_usd)).toBeCloseTo(0.032);
      expect(report.body.lines.map((l) => l.key)).toEqual(['claude-sonnet-5-5', 'claude-haiku-5']);
      const byRun = await api.call<{ lines: { key: string }[] }>('GET', '/costs?group_by=run');
      expect(byRun.body.lines[0]?.key).toBe(run.id);
      const bad = await api.call<Problem>('GET', '/costs?month=2026-13&group_by=team');
      expect(bad.body.errors?.map((e) => e.path)).toEqual(['month', 'group_by']);
    });

    it('creates a token shown once, lists it without the secret, and revokes it at once', async () => {
      const created = await api.call<{ id: string; token: string; prefix: string }>(
        'POST',
        '/tokens',
        {
          body: { name: 'ci', role: 'operator', expires_in_days: 30 },
        },
      );
      expect(created.status).toBe(201);
      expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
      expect((await api.call('GET', '/runs', { token: created.body.token })).status).toBe(200);
      const list = await api.call<{ items: { id: string; name: string }[] }>('GET', '/tokens');
      expect(JSON.stringify(list.body)).not.toContain(created.body.token);
      expect(list.body.items.map((t) => t.name)).toContain('ci');
      expect((await api.call('DELETE', `/tokens/${created.body.id}`)).status).toBe(204);
      expect((await api.call('GET', '/runs', { token: created.body.token })).status).toBe(401);
      expect((await api.call('DELETE', `/tokens/${created.body.id}`)).status).toBe(409);
    });

    it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
      const { body } = await api.call<{
        openapi: string;
        paths: Record<
          string,
          Record<string, { requestBody?: unknown; parameters?: { name: string }[] }>
        >;
        components: { schemas: Record<string, unknown> };
      }>('GET', '/openapi.json', { token: api.tokens.viewer });
      expect(body.openapi).toBe('3.1.0');
      expect(Object.keys(body.paths)).toEqual(
        expect.arrayContaining([
          '/runs',
          '/runs/{id}',
          '/runs/{id}/approval',
          '/plugins/{type}/{name}/config',
          '/events',
        ]),
      );
      expect(body.paths['/runs']?.get?.parameters?.map((p) => p.name)).toEqual([
        'status',
        'channel',
        'user',
        'workflow',
        'limit',
        'cursor',
      ]);
      expect(JSON.stringify(body.paths['/runs/{id}/approval']?.post?.requestBody)).toContain(
        'amount_usd',
      );
      expect(Object.keys(body.components.schemas)).toEqual(
        expect.arrayContaining(['Run', 'RunDetail', 'Problem']),
      );
      expect(JSON.stringify(body)).not.toContain('#/$defs/');
    });
  },
);
