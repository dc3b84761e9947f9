import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StepError } from '../../src/engine/step-errors.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

const shipped = (name: string) =>
  readFileSync(path.join(REPO_ROOT, 'workflows', `${name}.yaml`), 'utf8');

const IMPLEMENTATION = {
  pr_title: 'Fix rounding in totals',
  pr_description: 'Rounds half-up; adds a test.',
  documentation: 'Totals are rounded half-up.',
  patch: {
    base: 'a'.repeat(40),
    diff_base64: Buffer.from('diff --git a/x b/x\n').toString('base64'),
  },
  changed_files: [
    { status: 'modified', path: 'src/total.ts' },
    { status: 'deleted', path: 'src/old.ts' },
  ],
};

describeEachBackend('the shipped workflows', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
    h.workflow('implement-task', shipped('implement-task'));
    h.workflow('plan-project', shipped('plan-project'));
    h.agents
      .on('analyse_repository', () => ({
        analysis: { languages: ['TypeScript'], test_command: 'npm test' },
      }))
      .on('plan', () => ({ plan: { summary: 'Change total.ts', steps: ['edit', 'test'] } }))
      .on('implement', () => ({ implementation: IMPLEMENTATION }));
  });
  afterEach(async () => h.stop());

  it('implement-task: plan, approval, branch, commit, PR, review status, docs, notification', async () => {
    const { run } = await h.engine.startRun({
      workflow: 'implement-task',
      inputs: {
        task_key: 'PROJ-1',
        repository: 'acme/api',
        channel: 'C-team',
        approvers: ['U-lead'],
      },
      trigger: 'slack',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    const gate = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'approve_plan',
    );
    expect(gate?.inputs).toMatchObject({
      approvers: ['U-lead'],
      message: 'Plan for PROJ-1 (Title of PROJ-1): Change total.ts',
    });
    await h.engine.decide(run.id, { approve: true, by: 'U-lead' });
    expect((await h.waitFor(run.id, ['succeeded', 'failed'])).status).toBe('succeeded');

    expect(h.agents.calls.map((c) => [c.step, c.agent, c.input.mode])).toEqual([
      ['analyse_repository', 'development', 'analyse'],
      ['plan', 'planning', 'plan'],
      ['implement', 'development', 'implement'],
    ]);
    const byAction = (key: string) => h.actions.callsOf(key)[0]?.input;
    expect(byAction('version_control.create_branch')).toEqual({
      repository: 'acme/api',
      branch: 'aidev/PROJ-1',
    });
    expect(byAction('version_control.commit_changes')).toEqual({
      repository: 'acme/api',
      branch: 'aidev/PROJ-1',
      message: 'PROJ-1: Fix rounding in totals',
      patch: IMPLEMENTATION.patch,
    });
    expect(byAction('version_control.create_pull_request')).toMatchObject({
      title: 'PROJ-1: Fix rounding in totals',
      source_branch: 'aidev/PROJ-1',
    });
    expect(byAction('task_management.update_task_status')).toEqual({
      task_id: 'PROJ-1',
      status: 'In Review',
      comment: 'aidev opened a pull request for review: https://git.test/pull/7',
    });
    expect(byAction('documentation.create_page_from_template')).toMatchObject({
      title: 'PROJ-1: Title of PROJ-1',
      content: 'Totals are rounded half-up.',
    });
    expect(byAction('communication.send_message')).toEqual({
      channel: 'C-team',
      message: 'PROJ-1 is ready for review: https://git.test/pull/7',
    });
  });

  it('implement-task keeps written work as a draft pull request when the run fails after the commit', async () => {
    h.actions.on('version_control.create_pull_request', (call) => {
      if (call.input.draft === true)
        return { pr_url: 'https://git.test/pull/8', number: 8, branch: call.input.source_branch };
      throw new StepError('the base branch is protected', { code: 'forbidden' });
    });
    const { run } = await h.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: 'PROJ-2', repository: 'acme/api' },
      trigger: 'cli',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    await h.engine.decide(run.id, { approve: true, by: 'U-dev' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'open_pull_request',
      kept: { keep_work: { pr_url: 'https://git.test/pull/8' } },
    });
    expect(h.actions.callsOf('version_control.create_pull_request')[1]?.input).toMatchObject({
      draft: true,
      title: 'WIP PROJ-2: unfinished aidev run',
      description:
        'The run stopped: the base branch is protected. The work so far is on this branch.',
    });
    const last = (await database().store.events.listForRun(run.id)).at(-1);
    expect(last?.message).toBe(
      'Run failed at open_pull_request: the base branch is protected. Work kept: keep_work: https://git.test/pull/8.',
    );
    expect(h.actions.callsOf('communication.send_message')).toHaveLength(0);
  });

  it('implement-task fails without keeping anything when nothing was committed', async () => {
    h.agents.on('implement', () => {
      throw new StepError('the tests still fail after 3 tries', { code: 'tests_failed' });
    });
    const { run } = await h.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: 'PROJ-3', repository: 'acme/api' },
      trigger: 'cli',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    await h.engine.decide(run.id, { approve: true, by: 'U-dev' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({ step: 'implement', code: 'tests_failed' });
    expect(failed.error).not.toHaveProperty('kept');
    const keep = (await database().store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'keep_work',
    );
    expect(keep?.status).toBe('skipped');
  });

  it('plan-project: breakdown, approval, creation in the tracker', async () => {
    h.agents
      .on('break_down', () => ({ breakdown: { summary: '2 epics, 5 tasks', epics: [] } }))
      .on('create_in_tracker', (call) => ({
        created: { summary: `created for ${JSON.stringify(call.input.project)}` },
      }));
    const { run } = await h.engine.startRun({
      workflow: 'plan-project',
      inputs: { requirements: 'A billing page', project: 'BILL', channel: 'C-pm' },
      trigger: 'slack',
      userId: 'U-pm',
    });
    await h.waitFor(run.id, ['waiting']);
    await h.engine.decide(run.id, { approve: true, by: 'U-pm' });
    await h.waitFor(run.id, ['succeeded']);
    expect(h.actions.callsOf('communication.send_message')[0]?.input).toEqual({
      channel: 'C-pm',
      message: 'Planned BILL: created for "BILL"',
    });
  });
});
