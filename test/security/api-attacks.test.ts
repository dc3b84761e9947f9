import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  type ApiHarness,
  type ApiResponse,
  type ProblemJson,
} from '../http/support/api-harness.js';

/** Attacks on the REST API with a viewer's or an operator's token, as a hostile client. */

let api: ApiHarness;

/** JSON text nested `depth` arrays deep: JSON.stringify itself would overflow on the value. */
const nested = (depth: number) => `${'['.repeat(depth)}"U0ATTACK"${']'.repeat(depth)}`;
/** Random text that no database compresses below its index limit. */
const incompressible = (length: number) =>
  randomBytes(length).toString('base64url').slice(0, length);
const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
const RUN_ID = '00000000-0000-4000-8000-000000000000';

/** A 4xx problem+json naming the field, what was expected and what was found. */
function expectRefusal(response: ApiResponse, field: string, expected: RegExp): void {
  const label = `${response.status} ${JSON.stringify(response.body)}`;
  expect(response.status, label).toBeGreaterThanOrEqual(400);
  expect(response.status, label).toBeLessThan(500);
  expect(response.headers.get('content-type'), label).toContain('application/problem+json');
  const errors = (response.body as ProblemJson).errors ?? [];
  const error = errors.find((e) => e.path === field);
  expect(error, `${label} names ${field}`).toBeDefined();
  expect(error?.message, label).toMatch(expected);
  expect(error?.message, label).toMatch(/found/);
}

describeEachBackend('API attacks', (database) => {
  beforeAll(async () => {
    api = await startApi({ database: database() });
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

  it('refuses a NUL byte in a filter, a path id and a body field (422, never 500)', async () => {
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
});
