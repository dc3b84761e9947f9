import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

const gated = (gate: string) => `name: gated
inputs:
  plan: { type: string }
steps:
  - name: approve_plan
    type: approval
    message: "Plan: \${plan}"
${gate}
    outputs:
      approved: plan_approved
      feedback: plan_feedback
  - name: implement
    type: set
    set:
      summary: "approved=\${plan_approved} feedback=\${plan_feedback}"
`;

describeEachBackend('approval gates', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
  });
  afterEach(async () => h.stop());

  async function waiting(gate = '    approvers: [U-lead, U-cto]') {
    h.workflow('gated', gated(gate));
    const { run } = await h.engine.startRun({
      workflow: 'gated',
      inputs: { plan: 'edit parser.ts' },
      trigger: 'slack',
      userId: 'U-dev',
    });
    return h.waitFor(run.id, ['waiting']);
  }

  it('parks the run without holding a worker, and resumes it on approval', async () => {
    const run = await waiting();
    expect(run).toMatchObject({ status: 'waiting', waitingFor: 'approval' });
    // The job that parked the run finishes: no worker stays on a run that waits for people.
    await vi.waitFor(() => expect(h.jobs.runningCount()).toBe(0), { timeout: 5_000 });
    const gate = (await database().store.steps.listForRun(run.id))[0];
    expect(gate).toMatchObject({
      status: 'waiting',
      inputs: { approvers: ['U-lead', 'U-cto'], message: 'Plan: edit parser.ts' },
    });
    expect(h.events.find((e) => e.type === 'approval.requested')?.data).toMatchObject({
      approvers: ['U-lead', 'U-cto'],
    });

    expect(await h.engine.decide(run.id, { approve: true, by: 'U-cto', feedback: 'go' })).toEqual({
      outcome: 'decided',
      approved: true,
      step: 'approve_plan',
    });
    await h.waitFor(run.id, ['succeeded']);
    const implement = (await database().store.steps.listForRun(run.id))[1];
    expect(implement?.outputs).toEqual({ summary: 'approved=true feedback=go' });
  });

  it('refuses a second decision, saying who decided and when', async () => {
    const run = await waiting();
    await h.engine.decide(run.id, { approve: true, by: 'U-lead' });
    const second = await h.engine.decide(run.id, { approve: false, by: 'U-cto' });
    expect(second).toMatchObject({
      outcome: 'already_decided',
      step: 'approve_plan',
      approved: true,
      decidedBy: 'U-lead',
    });
    await h.waitFor(run.id, ['succeeded']);
  });

  it('takes exactly one of two simultaneous decisions', async () => {
    const run = await waiting();
    const outcomes = await Promise.all([
      h.engine.decide(run.id, { approve: true, by: 'U-lead' }),
      h.engine.decide(run.id, { approve: false, by: 'U-cto' }),
    ]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['already_decided', 'decided']);
  });

  it('refuses a decision by someone who is not an approver', async () => {
    const run = await waiting();
    expect(await h.engine.decide(run.id, { approve: true, by: 'U-intern' })).toEqual({
      outcome: 'not_allowed',
      step: 'approve_plan',
      approvers: ['U-lead', 'U-cto'],
    });
    expect((await database().store.runs.get(run.id))?.status).toBe('waiting');
  });

  it('lets the person who started the run decide when no approvers are named', async () => {
    const run = await waiting('    timeout: 1h');
    expect(await h.engine.decide(run.id, { approve: true, by: 'U-other' })).toMatchObject({
      outcome: 'not_allowed',
      approvers: ['U-dev'],
    });
    expect(await h.engine.decide(run.id, { approve: true, by: 'U-dev' })).toMatchObject({
      outcome: 'decided',
    });
  });

  it('fails the run on a rejection by default, with who rejected and why', async () => {
    const run = await waiting();
    await h.engine.decide(run.id, { approve: false, by: 'U-lead', feedback: 'split it in two' });
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({
      step: 'approve_plan',
      code: 'rejected',
      message: 'rejected by U-lead: split it in two',
    });
  });

  it('continues after a rejection with on_reject: continue, passing the feedback on', async () => {
    const run = await waiting('    approvers: [U-lead]\n    on_reject: continue');
    await h.engine.decide(run.id, { approve: false, by: 'U-lead', feedback: 'use the v2 API' });
    await h.waitFor(run.id, ['succeeded']);
    expect((await database().store.steps.listForRun(run.id))[1]?.outputs).toEqual({
      summary: 'approved=false feedback=use the v2 API',
    });
  });

  it('fails the run when nobody decides in time (on_timeout: fail)', async () => {
    const run = await waiting('    timeout: 300ms');
    const failed = await h.waitFor(run.id, ['failed']);
    expect(failed.error).toMatchObject({ code: 'approval_timeout', step: 'approve_plan' });
    expect(await h.engine.decide(run.id, { approve: true, by: 'U-dev' })).toMatchObject({
      outcome: 'already_decided',
      decidedBy: 'system:timeout',
    });
  });

  it('treats a timeout as a rejection with on_timeout: reject', async () => {
    const run = await waiting(
      '    timeout: 300ms\n    on_timeout: reject\n    on_reject: continue',
    );
    await h.waitFor(run.id, ['succeeded']);
    expect((await database().store.steps.listForRun(run.id))[1]?.outputs).toEqual({
      summary: 'approved=false feedback=no decision before the deadline',
    });
  });

  it('cancels a run that waits for approval; a later decision changes nothing', async () => {
    const run = await waiting();
    expect(await h.engine.cancel(run.id, 'U-dev')).toMatchObject({ outcome: 'cancelling' });
    await h.waitFor(run.id, ['cancelled']);
    expect(await h.engine.decide(run.id, { approve: true, by: 'U-lead' })).toEqual({
      outcome: 'cannot_continue',
      code: 'ended',
      status: 'cancelled',
      reason: 'the run was cancelled',
    });
    expect((await database().store.steps.listForRun(run.id))[0]?.status).toBe('cancelled');
  });
});
