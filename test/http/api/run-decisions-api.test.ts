import { afterAll, beforeAll, expect, it } from 'vitest';
import { StepPauseError } from '../../../src/engine/step-errors.js';
import { describeEachBackend } from '../../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  type ApiHarness,
  type ProblemJson as Problem,
  type RunJson,
} from '../support/api-harness.js';

const paused = new Set<string>();

const BUDGET_WORKFLOW = `name: costly
steps:
  - name: think
    type: ai_action
    agent: planning
    inputs:
      mode: plan
      task: { key: SHOP-7, title: Round totals, description: Off by a cent. }
`;
/** The same, paused at the global monthly budget instead. */
const GLOBAL_WORKFLOW = BUDGET_WORKFLOW.replace('name: costly', 'name: costly-global').replace(
  'name: think',
  'name: ponder',
);
let api: ApiHarness;

describeEachBackend('deciding what runs wait for, through the API', (database) => {
  beforeAll(async () => {
    api = await startApi({ database: database() });
    api.workflow('gated', APPROVAL_WORKFLOW);
    api.workflow('costly', BUDGET_WORKFLOW);
    api.workflow('costly-global', GLOBAL_WORKFLOW);
    // The first attempt of each run pauses at the run's budget, as the budget keeper would.
    api.agents.on('think', (call) => {
      if (!paused.has(call.run.id)) {
        paused.add(call.run.id);
        throw new StepPauseError('the next call would exceed the run budget of $0.01', {
          waitingFor: 'budget',
          record: { scope: 'run', scope_id: call.run.id },
        });
      }
      return { plan: 'done' };
    });
    api.agents.on('ponder', (call) => {
      if (!paused.has(call.run.id)) {
        paused.add(call.run.id);
        throw new StepPauseError('the next call would exceed the global budget of $0.01', {
          waitingFor: 'budget',
          record: { scope: 'global', scope_id: '*' },
        });
      }
      return { plan: 'done' };
    });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('approves a waiting run, refuses a second decision with who decided, and finishes it', async () => {
    const { body: run } = await api.call<RunJson>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'PROJ-3' } },
    });
    await api.waitFor(run.id, ['waiting']);
    const waiting = await api.call<{
      decision: { kind: string; step: string; choices: string[] };
    }>('GET', `/runs/${run.id}`);
    expect(waiting.body.decision).toMatchObject({
      kind: 'approval',
      step: 'approve_plan',
      choices: ['approve', 'reject'],
    });
    const wrong = await api.call<Problem>('POST', `/runs/${run.id}/approval`, {
      token: api.tokens.operator,
      body: { decision: 'grant', amount_usd: '1' },
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.detail).toContain('approve or reject');
    const approved = await api.call<{ outcome: string; approved: boolean }>(
      'POST',
      `/runs/${run.id}/approval`,
      { token: api.tokens.operator, body: { decision: 'approve' } },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ outcome: 'decided', approved: true });
    const again = await api.call<Problem>('POST', `/runs/${run.id}/approval`, {
      token: api.tokens.operator,
      body: { decision: 'reject', feedback: 'too late' },
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toContain('already approved by token:test-operator');
    await api.waitFor(run.id, ['succeeded']);
  });

  it('refuses a decision on a cancelled run with the reason (409), never as accepted', async () => {
    const { body: run } = await api.call<RunJson>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'PROJ-5' } },
    });
    await api.waitFor(run.id, ['waiting']);
    const shown = await api.call<{ waiting_since: string | null; waited_ms: number }>(
      'GET',
      `/runs/${run.id}`,
    );
    expect(typeof shown.body.waiting_since).toBe('string');
    expect(shown.body.waited_ms).toBeGreaterThanOrEqual(0);
    const cancel = await api.call('POST', `/runs/${run.id}/cancel`, { token: api.tokens.operator });
    expect(cancel.status).toBe(202);
    await api.waitFor(run.id, ['cancelled']);
    const refused = await api.call<Problem>('POST', `/runs/${run.id}/approval`, {
      token: api.tokens.operator,
      body: { decision: 'approve' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/\/cannot-continue$/);
    expect(refused.body.detail).toBe('the run was cancelled; nothing changed');
  });

  it('rejects with feedback, and validates the decision body by its kind', async () => {
    const { body: run } = await api.call<RunJson>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'PROJ-4' } },
    });
    await api.waitFor(run.id, ['waiting']);
    const invalid = await api.call<Problem>('POST', `/runs/${run.id}/approval`, {
      body: { decision: 'maybe' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors?.[0]?.path).toBe('decision');
    const rejected = await api.call('POST', `/runs/${run.id}/approval`, {
      body: { decision: 'reject', feedback: 'split it in two' },
    });
    expect(rejected.status).toBe(200);
    const failed = await api.waitFor(run.id, ['failed']);
    expect(JSON.stringify(failed.error)).toContain('split it in two');
  });

  it('grants more to a run paused at its budget, and stops another', async () => {
    const start = async () =>
      (await api.call<RunJson>('POST', '/runs', { body: { workflow: 'costly' } })).body.id;
    const [granted, stopped] = [await start(), await start()];
    await api.waitFor(granted, ['waiting']);
    await api.waitFor(stopped, ['waiting']);
    const detail = await api.call<{
      waiting_for: string;
      decision: { kind: string; choices: string[] };
    }>('GET', `/runs/${granted}`);
    expect(detail.body.waiting_for).toBe('budget');
    expect(detail.body.decision).toMatchObject({
      kind: 'budget',
      choices: ['grant', 'raise', 'stop'],
    });
    const approve = await api.call<Problem>('POST', `/runs/${granted}/approval`, {
      body: { decision: 'approve' },
    });
    expect(approve.status).toBe(409);
    expect(approve.body.detail).toContain('grant, raise or stop');
    const badAmount = await api.call<Problem>('POST', `/runs/${granted}/approval`, {
      body: { decision: 'grant', amount_usd: 'lots' },
    });
    expect(badAmount.body.errors?.[0]).toMatchObject({ path: 'amount_usd', in: 'body' });
    const grant = await api.call<{ outcome: string; limit_usd: string }>(
      'POST',
      `/runs/${granted}/approval`,
      {
        token: api.tokens.operator,
        body: { decision: 'grant', amount_usd: '2.50' },
      },
    );
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ outcome: 'resumed' });
    expect(Number(grant.body.limit_usd)).toBe(2.5);
    await api.waitFor(granted, ['succeeded']);
    const stop = await api.call<{ outcome: string }>('POST', `/runs/${stopped}/approval`, {
      body: { decision: 'stop' },
    });
    expect(stop.body.outcome).toBe('stopped');
    await api.waitFor(stopped, ['failed']);
  });

  it('offers grant, raise and stop at the global budget; giving money past it takes an admin token', async () => {
    const { body: run } = await api.call<RunJson>('POST', '/runs', {
      body: { workflow: 'costly-global' },
    });
    await api.waitFor(run.id, ['waiting']);
    const detail = await api.call<{ decision: { scope: string; choices: string[] } }>(
      'GET',
      `/runs/${run.id}`,
    );
    expect(detail.body.decision).toMatchObject({
      scope: 'global',
      choices: ['grant', 'raise', 'stop'],
    });
    const asOperator = await api.call<Problem>('POST', `/runs/${run.id}/approval`, {
      token: api.tokens.operator,
      body: { decision: 'raise', amount_usd: '50' },
    });
    expect(asOperator.status).toBe(403);
    expect(asOperator.body.detail).toContain('spending past the global monthly budget');
    const raised = await api.call<{ outcome: string; limit_usd: string }>(
      'POST',
      `/runs/${run.id}/approval`,
      { token: api.tokens.admin, body: { decision: 'raise', amount_usd: '50' } },
    );
    expect(raised.status).toBe(200);
    expect(raised.body).toMatchObject({ outcome: 'resumed', limit_usd: '50.0000000000' });
    await api.waitFor(run.id, ['succeeded']);
    expect((await database().store.budgets.get('global', '*'))?.limitUsd).toBe('50.0000000000');
  });
});
