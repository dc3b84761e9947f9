import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  stepsWorkflow,
  type ApiHarness,
  type ProblemJson as Problem,
  type RunJson,
} from '../support/api-harness.js';

let api: ApiHarness;

describeEachBackend('the runs API', (database) => {
  beforeAll(async () => {
    api = await startApi({ database: database() });
    api.workflow('steps', stepsWorkflow(3));
    api.workflow('gated', APPROVAL_WORKFLOW);
    // A round of fixes, as small as a workflow gets: what the loop starts, not what it does.
    api.workflow(
      'address-feedback',
      ['name: address-feedback', 'steps:', '  - name: noted', '    set: { done: true }'].join('\n'),
    );
    api.workflow(
      'opens-pr',
      [
        'name: opens-pr',
        'steps:',
        '  - name: open_pr',
        '    plugin: version_control',
        '    action: create_pull_request',
        "    inputs: { repository: 'acme/shop', source_branch: 'aidev/PROJ-9', title: 'PROJ-9' }",
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await api.stop();
  });

  it('starts a run with 202 and runs it to the end', async () => {
    const started = await api.call<RunJson>('POST', '/runs', {
      token: api.tokens.operator,
      body: { workflow: 'steps', inputs: { task_key: 'PROJ-1' }, channel: 'C-RUNS' },
    });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/v1/runs/${started.body.id}`);
    expect(started.body).toMatchObject({
      workflow: 'steps',
      status: 'queued',
      channel_id: 'C-RUNS',
      user_id: 'token:test-operator',
    });
    await api.waitFor(started.body.id, ['succeeded']);
    const detail = await api.call<{
      status: string;
      steps: { name: string; status: string }[];
      events: { type: string }[];
      cost: { total_usd: string };
    }>('GET', `/runs/${started.body.id}`, { token: api.tokens.viewer });
    expect(detail.status).toBe(200);
    expect(detail.body.status).toBe('succeeded');
    expect(detail.body.steps.map((s) => [s.name, s.status])).toEqual([
      ['step_1', 'succeeded'],
      ['step_2', 'succeeded'],
      ['step_3', 'succeeded'],
    ]);
    expect(detail.body.events.map((e) => e.type)).toContain('run.succeeded');
    expect(detail.body.cost.total_usd).toMatch(/^0\.0+$/);
  });

  it('shows the pull requests a run opened, as owned by it', async () => {
    const started = await api.call<RunJson>('POST', '/runs', {
      token: api.tokens.operator,
      body: { workflow: 'opens-pr' },
    });
    await api.waitFor(started.body.id, ['succeeded']);
    const detail = await api.call<{ pull_requests: unknown[] }>('GET', `/runs/${started.body.id}`, {
      token: api.tokens.viewer,
    });
    expect(detail.body.pull_requests).toEqual([
      {
        url: 'https://git.test/pull/7',
        repository: 'acme/shop',
        number: 7,
        branch: 'aidev/PROJ-9',
        state: 'open',
        step: 'open_pr',
        opened_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown,
        rounds: [],
        waiting_feedback: 0,
        handed_over_at: null,
      },
    ]);

    // A person asks for changes: the comment is queued and starts a round of fixes.
    const asked = await api.call<{ outcome: string; round: unknown; pull_request: string }>(
      'POST',
      `/runs/${started.body.id}/feedback`,
      {
        token: api.tokens.operator,
        body: { body: 'Also handle an empty cart.', path: 'src/cart.ts', line: 3 },
      },
    );
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({
      outcome: 'queued',
      pull_request: 'https://git.test/pull/7',
      round: { number: 1, state: 'started' },
    });
    const round = await api.call<{ round_of: unknown }>(
      'GET',
      `/runs/${(await api.app.store.prRounds.forPull('https://git.test/pull/7'))[0]?.runId ?? ''}`,
      { token: api.tokens.viewer },
    );
    expect(round.body.round_of).toEqual({
      pull_request: 'https://git.test/pull/7',
      number: 1,
      run_id: started.body.id,
    });
    const viewer = await api.call('POST', `/runs/${started.body.id}/feedback`, {
      token: api.tokens.viewer,
      body: { body: 'a viewer may not ask' },
    });
    expect(viewer.status).toBe(403);
    const empty = await api.call('POST', `/runs/${started.body.id}/feedback`, {
      token: api.tokens.operator,
      body: { body: '   ' },
    });
    expect(empty.status).toBe(422);
  });

  it('answers workflow input errors with 422 problem+json naming each field', async () => {
    const response = await fetch(`${api.base}/api/v1/runs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.tokens.operator}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ workflow: 'steps', inputs: { task_key: 42, colour: 'red' } }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const body = (await response.json()) as Problem;
    expect(body.type).toBe('https://aidev.dev/problems/invalid-inputs');
    expect(body.errors).toEqual([
      { path: 'inputs.task_key', message: 'expected string, found number 42', in: 'body' },
      {
        path: 'inputs.colour',
        message: 'unknown input of workflow steps; its inputs are task_key',
        in: 'body',
      },
    ]);
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
  });

  it('names an unknown workflow and malformed fields as problems of the body', async () => {
    const unknown = await api.call<Problem>('POST', '/runs', {
      body: { workflow: 'implement-tsk' },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors?.[0]).toMatchObject({ path: 'workflow', in: 'body' });
    expect(unknown.body.errors?.[0]?.message).toContain('did you mean "implement-task"');
    const malformed = await api.call<Problem>('POST', '/runs', {
      body: { workflow: 7, inputs: [], extra: true },
    });
    expect(malformed.status).toBe(422);
    expect(malformed.body.errors?.map((e) => e.path)).toEqual(['workflow', 'inputs', 'extra']);
    const notJson = await api.call<Problem>('POST', '/runs', {
      body: '{"workflow":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.type).toBe('https://aidev.dev/problems/bad-request');
  });

  it('returns the first run for a repeated Idempotency-Key', async () => {
    const request = {
      token: api.tokens.operator,
      body: { workflow: 'gated', inputs: { task_key: 'PROJ-2' } },
      headers: { 'idempotency-key': 'retry-me' },
    };
    const first = await api.call<RunJson>('POST', '/runs', request);
    const second = await api.call<RunJson>('POST', '/runs', request);
    expect([first.status, second.status]).toEqual([202, 200]);
    expect(second.body.id).toBe(first.body.id);
    await api.call('POST', `/runs/${first.body.id}/cancel`, { token: api.tokens.operator });
  });

  it('lists runs newest first, filtered, a page at a time with next_cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { body } = await api.call<RunJson>('POST', '/runs', {
        body: { workflow: 'gated', inputs: { task_key: `PAGE-${i}` }, channel: 'C-PAGES' },
      });
      ids.push(body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/runs?channel=C-PAGES&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`;
      const page = await api.call<{ items: RunJson[]; next_cursor: string | null }>('GET', query, {
        token: api.tokens.viewer,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r) => r.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const filtered = await api.call<{ items: RunJson[] }>(
      'GET',
      '/runs?workflow=gated&status=waiting&limit=500',
    );
    expect(filtered.body.items.every((r) => r.workflow === 'gated' && r.status === 'waiting')).toBe(
      true,
    );
    const byUser = await api.call<{ items: RunJson[] }>('GET', '/runs?user=token:test-admin');
    expect(byUser.body.items.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('refuses a bad limit, status or cursor with the query field named', async () => {
    const response = await api.call<Problem>(
      'GET',
      '/runs?limit=0&status=done&cursor=nope&colour=1',
    );
    expect(response.status).toBe(422);
    expect(response.body.errors?.map((e) => `${e.in}:${e.path}`)).toEqual([
      'query:status',
      'query:limit',
      'query:cursor',
      'query:colour',
    ]);
  });

  it('answers 404 for a run that does not exist', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await api.call<Problem>('GET', `/runs/${id}`);
      expect(response.status).toBe(404);
      expect(response.body.type).toBe('https://aidev.dev/problems/not-found');
    }
  });

  it('cancels a waiting run, then says it already ended', async () => {
    const { body: run } = await api.call<RunJson>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'PROJ-5' } },
    });
    await api.waitFor(run.id, ['waiting']);
    const cancelled = await api.call<RunJson>('POST', `/runs/${run.id}/cancel`, {
      token: api.tokens.operator,
    });
    expect(cancelled.status).toBe(202);
    await api.waitFor(run.id, ['cancelled']);
    const again = await api.call<Problem>('POST', `/runs/${run.id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('https://aidev.dev/problems/run-finished');
  });
});
