import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StepError } from '../../src/engine/step-errors.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';
import { hangUntilAborted, retryableFailure } from '../support/scripted-runners.js';

/** branch → PR → status → notify, with an error policy on the step that fails. */
function pipeline(failing: string, policy: string): string {
  const step = (name: string, body: string) =>
    `  - name: ${name}\n${body}${name === failing ? `\n${policy}` : ''}\n`;
  return `name: pipeline
steps:
${step('create_branch', '    plugin: version_control\n    action: create_branch\n    inputs: { repository: acme/api, branch: feature/x }')}${step(
    'open_pr',
    '    plugin: version_control\n    action: create_pull_request\n    inputs: { repository: acme/api, source_branch: feature/x, title: Fix }\n    outputs: { number: pr_number }',
  )}${step('to_review', '    plugin: task_management\n    action: update_task_status\n    inputs: { task_id: PROJ-1, status: In Review }')}${step(
    'notify',
    '    plugin: communication\n    action: send_message\n    inputs: { channel: C1, message: done }',
  )}`;
}

describeEachBackend('error policies, timeouts and cancellation', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
  });
  afterEach(async () => h.stop());

  const stepStatuses = async (runId: string) =>
    Object.fromEntries(
      (await database().store.steps.listForRun(runId)).map((s) => [s.stepName, s.status]),
    );

  const stepEventTypes = async (runId: string, step: string) =>
    (await database().store.events.listForRun(runId))
      .filter((e) => e.stepName === step && e.type.startsWith('step.'))
      .map((e) => e.type);

  it('on_error: fail stops the run at the failing step', async () => {
    h.workflow('p', pipeline('to_review', '    on_error: fail'));
    h.actions.on('task_management.update_task_status', () => {
      throw new StepError('no transition to "In Review" (available: Done)', {
        code: 'no_transition',
      });
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'to_review',
      code: 'no_transition',
      message: 'no transition to "In Review" (available: Done)',
    });
    expect(await stepStatuses(run.id)).toEqual({
      create_branch: 'succeeded',
      open_pr: 'succeeded',
      to_review: 'failed',
    });
    expect(h.actions.callsOf('communication.send_message')).toHaveLength(0);
  });

  it('on_error: continue records the failure and goes on', async () => {
    h.workflow('p', pipeline('to_review', '    on_error: continue'));
    h.actions.on('task_management.update_task_status', () => {
      throw new Error('tracker is read-only');
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    expect(await stepStatuses(run.id)).toEqual({
      create_branch: 'succeeded',
      open_pr: 'succeeded',
      to_review: 'failed',
      notify: 'succeeded',
    });
  });

  it('on_error: retry tries a retryable failure again, with the same idempotency key', async () => {
    h.workflow('p', pipeline('open_pr', '    on_error: retry\n    retry_count: 3'));
    h.actions.on('version_control.create_pull_request', (call, n) => {
      if (n < 3) throw retryableFailure();
      return { pr_url: 'https://git.test/pull/9', number: 9, branch: call.input.source_branch };
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const calls = h.actions.callsOf('version_control.create_pull_request');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set([`${run.id}:open_pr`]));
    const step = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'open_pr',
    );
    expect(step).toMatchObject({
      attempt: 3,
      failures: 2,
      status: 'succeeded',
      outputs: { number: 9 },
    });
    const types = (await database().store.events.listForRun(run.id))
      .filter((e) => e.stepName === 'open_pr')
      .map((e) => e.type);
    expect(types).toEqual([
      'step.started',
      'step.retrying',
      'step.started',
      'step.retrying',
      'step.started',
      'step.succeeded',
    ]);
  });

  it('hands a step whose database connection was lost back, and runs it again instead of failing the run', async () => {
    // The default policy (on_error: fail): a lost connection is the worker's trouble, not the
    // step's (#16: pg's words when the embedded database's serving process was killed).
    h.workflow('p', pipeline('none', ''));
    h.actions.on('version_control.create_pull_request', (call, n) => {
      if (n === 1) throw new Error('Connection terminated unexpectedly');
      return { pr_url: 'https://git.test/pull/9', number: 9, branch: call.input.source_branch };
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');
    const calls = h.actions.callsOf('version_control.create_pull_request');
    expect(calls.map((c) => c.idempotencyKey)).toEqual([`${run.id}:open_pr`, `${run.id}:open_pr`]);
    const openPr = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'open_pr',
    );
    expect(openPr).toMatchObject({ status: 'succeeded', failures: 0, attempt: 2 });
    expect(h.events.filter((e) => e.type === 'step.failed')).toEqual([]);
  });

  it('on_error: retry does not retry a failure that is not retryable', async () => {
    h.workflow('p', pipeline('open_pr', '    on_error: retry\n    retry_count: 3'));
    h.actions.on('version_control.create_pull_request', () => {
      throw new StepError('validation failed: base branch does not exist', {
        code: 'invalid',
        retryable: false,
      });
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    expect((await h.waitFor(run.id, ['failed'])).error).toMatchObject({ code: 'invalid' });
    expect(h.actions.callsOf('version_control.create_pull_request')).toHaveLength(1);
    expect(await stepEventTypes(run.id, 'open_pr')).toEqual(['step.started', 'step.failed']);
    const step = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'open_pr',
    );
    expect(step).toMatchObject({ attempt: 1, failures: 1 });
  });

  it('on_error: retry gives up after retry_count retries', async () => {
    h.workflow('p', pipeline('open_pr', '    on_error: retry\n    retry_count: 2'));
    h.actions.on('version_control.create_pull_request', () => {
      throw retryableFailure('GitHub is down');
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    expect((await h.waitFor(run.id, ['failed'])).error).toMatchObject({
      step: 'open_pr',
      message: 'GitHub is down',
    });
    expect(h.actions.callsOf('version_control.create_pull_request')).toHaveLength(3);
    // One record per failure: two retries, then one final failure — not two.
    expect(await stepEventTypes(run.id, 'open_pr')).toEqual([
      'step.started',
      'step.retrying',
      'step.started',
      'step.retrying',
      'step.started',
      'step.failed',
    ]);
    const step = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'open_pr',
    );
    expect(step).toMatchObject({ attempt: 3, failures: 3, status: 'failed' });
  });

  it('on_error: rollback undoes the completed steps newest first', async () => {
    h.workflow('p', pipeline('notify', '    on_error: rollback'));
    h.actions.on('communication.send_message', () => {
      throw new StepError('channel not found', { code: 'channel_not_found' });
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    const failed = await h.waitFor(run.id, ['failed']);
    const undo = h.actions.calls
      .slice(4)
      .map((c) => [`${c.plugin}.${c.action}`, c.input, c.idempotencyKey]);
    expect(undo).toEqual([
      [
        'task_management.update_task_status',
        { task_id: 'PROJ-1', status: 'To Do' },
        `${run.id}:to_review:compensate`,
      ],
      [
        'version_control.close_pull_request',
        { repository: 'acme/api', number: 7 },
        `${run.id}:open_pr:compensate`,
      ],
      [
        'version_control.delete_branch',
        { repository: 'acme/api', branch: 'feature/x' },
        `${run.id}:create_branch:compensate`,
      ],
    ]);
    expect(await stepStatuses(run.id)).toEqual({
      create_branch: 'rolled_back',
      open_pr: 'rolled_back',
      to_review: 'rolled_back',
      notify: 'failed',
    });
    expect(failed.error).toMatchObject({
      step: 'notify',
      rollback: { undone: ['to_review', 'open_pr', 'create_branch'], not_undone: [] },
    });
  });

  it('fails a step that runs past its timeout, aborting the action', async () => {
    h.workflow('p', pipeline('open_pr', '    timeout: 300ms'));
    let aborted = false;
    h.actions.on('version_control.create_pull_request', async (call) => {
      call.signal.addEventListener('abort', () => (aborted = true));
      return hangUntilAborted(call);
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'open_pr',
      code: 'step_timeout',
      message: 'step open_pr did not finish within its timeout of 300 ms',
    });
    expect(aborted).toBe(true);
  });

  it('fails the run at its wall-clock limit, and runs the on_failure hook to keep the work', async () => {
    h.workflow(
      'slow',
      `name: slow
timeout: 1s
steps:
  - name: create_branch
    plugin: version_control
    action: create_branch
    inputs: { repository: acme/api, branch: feature/x }
    outputs: { branch_url: branch_url }
  - name: implement
    type: ai_action
on_failure:
  - name: keep_work
    plugin: version_control
    action: create_pull_request
    inputs: { repository: acme/api, source_branch: feature/x, title: "WIP (run \${run.error.code})", draft: true }
`,
    );
    h.agents.on('implement', (call) => hangUntilAborted(call));
    const { run } = await h.engine.startRun({ workflow: 'slow', trigger: 'api' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'implement',
      code: 'run_timeout',
      kept: { keep_work: { pr_url: 'https://git.test/pull/7' } },
    });
    expect(h.actions.callsOf('version_control.create_pull_request')[0]?.input).toMatchObject({
      title: 'WIP (run run_timeout)',
      draft: true,
    });
  });

  it('cancels a running step: its action is aborted and the run ends cancelled', async () => {
    h.workflow('p', pipeline('open_pr', '    timeout: 1m'));
    let aborted = false;
    h.actions.on('version_control.create_pull_request', async (call) => {
      call.signal.addEventListener('abort', () => (aborted = true));
      return hangUntilAborted(call);
    });
    const { run } = await h.engine.startRun({ workflow: 'p', trigger: 'api' });
    while (h.actions.callsOf('version_control.create_pull_request').length === 0) await sleep(10);
    expect(await h.engine.cancel(run.id, 'U1')).toMatchObject({ outcome: 'cancelling' });
    const cancelled = await h.waitFor(run.id, ['cancelled']);
    expect(aborted).toBe(true);
    expect(cancelled.error).toMatchObject({ code: 'run_cancelled' });
    expect(await stepStatuses(run.id)).toEqual({
      create_branch: 'succeeded',
      open_pr: 'cancelled',
    });
    expect(await h.engine.cancel(run.id, 'U1')).toEqual({
      outcome: 'finished',
      status: 'cancelled',
    });
    expect(await h.engine.cancel('00000000-0000-4000-8000-000000000000', 'U1')).toEqual({
      outcome: 'not_found',
    });
  });
});
