import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { startEngine, type EngineHarness } from '../support/engine-harness.js';

const REVISED = (max: number | string) => `name: revised
inputs:
  ask: { type: string }
steps:
  - name: draft
    type: ai_action
    agent: planning
    inputs:
      ask: '\${ask}'
      feedback: '\${run.revisions.?draft.feedback.orValue(null)}'
      previous: '\${run.revisions.?draft.previous.?plan.orValue(null)}'
    outputs: { plan: plan }
  - name: check
    type: set
    set: { checked: '\${plan}' }
  - name: approve
    type: approval
    message: 'Plan: \${plan}'
    revise: draft
    max_revisions: ${max}
  - name: build
    type: set
    set: { built: '\${plan}' }
`;

describeEachBackend('approvals that send a step back with the feedback', (database) => {
  let h: EngineHarness;
  beforeEach(async () => {
    await resetTables(database().db);
    h = await startEngine(database());
    h.agents.on('draft', (call, n) => ({
      plan: `plan ${n}${call.input.feedback === null ? '' : ` after "${JSON.stringify(call.input.feedback).slice(1, -1)}"`}`,
    }));
  });
  afterEach(() => h.stop());

  const start = async (max: number | string = 2) => {
    h.workflow('revised', REVISED(max));
    const { run } = await h.engine.startRun({
      workflow: 'revised',
      inputs: { ask: 'x' },
      trigger: 'slack',
      userId: 'U-dev',
    });
    await h.waitFor(run.id, ['waiting']);
    return run.id;
  };

  it('runs the step again with the feedback and its rejected result, then asks again', async () => {
    const id = await start();
    expect(
      await h.engine.decide(id, { approve: false, by: 'U-dev', feedback: 'smaller please' }),
    ).toEqual({
      outcome: 'decided',
      approved: false,
      step: 'approve',
      revising: { step: 'draft', revision: 1 },
    });
    await h.waitFor(id, ['waiting']);
    const draft = h.agents.calls.filter((c) => c.step === 'draft');
    expect(draft.map((c) => [c.input.feedback, c.input.previous])).toEqual([
      [null, null],
      ['smaller please', 'plan 1'],
    ]);
    const steps = await database().store.steps.listForRun(id);
    expect(steps.find((s) => s.stepName === 'approve')?.inputs).toMatchObject({
      message: 'Plan: plan 2 after "smaller please"',
    });
    expect(steps.find((s) => s.stepName === 'check')?.outputs).toEqual({
      checked: 'plan 2 after "smaller please"',
    });

    expect(await h.engine.decide(id, { approve: true, by: 'U-dev' })).toMatchObject({
      outcome: 'decided',
      approved: true,
    });
    expect((await h.waitFor(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  });

  it('ends the run on a rejection once the revisions are used up', async () => {
    const id = await start(1);
    await h.engine.decide(id, { approve: false, by: 'U-dev', feedback: 'no' });
    await h.waitFor(id, ['waiting']);
    expect(
      await h.engine.decide(id, { approve: false, by: 'U-dev', feedback: 'still no' }),
    ).toEqual({
      outcome: 'decided',
      approved: false,
      step: 'approve',
    });
    const run = await h.waitFor(id, ['failed', 'succeeded']);
    expect(run.status).toBe('failed');
  });

  it('takes the number of revisions from an expression (0: a rejection is final)', async () => {
    const id = await start("'${size(ask) - 1}'");
    const outcome = await h.engine.decide(id, { approve: false, by: 'U-dev', feedback: 'no' });
    expect(outcome).not.toHaveProperty('revising');
    expect((await h.waitFor(id, ['failed', 'succeeded'])).status).toBe('failed');
  });

  it('refuses to revise a step that does not come before the gate, naming it', () => {
    expect(() => h.workflow('bad', REVISED(2).replace('revise: draft', 'revise: build'))).toThrow(
      /steps\[2\]\.revise: expected the name of an earlier step to run again with the feedback, found "build"/,
    );
  });
});
