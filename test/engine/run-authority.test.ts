import { beforeAll, expect, it } from 'vitest';
import {
  authorizeRun,
  authorizeSettings,
  type Actor,
  type RunAction,
} from '../../src/engine/run-authority.js';
import type { Run } from '../../src/store/repositories/runs.js';
import { describeEachBackend } from '../support/backends.js';

const STARTER = 'U0STARTER01';
const GATE_APPROVER = 'U0GATE00001';
const CHANNEL_APPROVER = 'U0CHANNEL01';
const STRANGER = 'U0STRANGER1';
const ADMIN = 'U0ADMIN0001';

const person = (id: string): Actor => ({
  kind: 'person',
  id,
  isAdmin: () => Promise.resolve(id === ADMIN),
});

describeEachBackend('who may act on a run (authorizeRun)', (database) => {
  let run: Run;
  beforeAll(async () => {
    const { store } = database();
    await store.channels.put('C0RULES0001', { approvers: [CHANNEL_APPROVER] }, { updatedBy: 't' });
    ({ run } = await store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1',
      trigger: 'slack',
      channelId: 'C0RULES0001',
      userId: STARTER,
    }));
    const gate = await store.steps.ensure({
      runId: run.id,
      stepName: 'approve_plan',
      stepIndex: 1,
      kind: 'approval',
    });
    await store.steps.wait(gate.id, { approvers: [GATE_APPROVER], message: 'the plan' });
  });

  const decide = async (actor: Actor, action: RunAction, channelId?: string) => {
    const outcome = await authorizeRun(database().store, {
      actor,
      runId: run.id,
      action,
      ...(channelId === undefined ? {} : { channelId }),
    });
    return outcome.ok ? 'allowed' : outcome.reason;
  };

  it('lets people decide when the gate or the channel names them, or they are admins', async () => {
    expect(await decide(person(GATE_APPROVER), 'decide')).toBe('allowed');
    expect(await decide(person(CHANNEL_APPROVER), 'decide')).toBe('allowed');
    expect(await decide(person(ADMIN), 'decide')).toBe('allowed');
    expect(await decide(person(STARTER), 'decide')).toBe('forbidden');
    expect(await decide(person(STRANGER), 'decide')).toBe('forbidden');
  });

  it('lets whoever started the run, the channel’s approvers and admins cancel it', async () => {
    expect(await decide(person(STARTER), 'cancel')).toBe('allowed');
    expect(await decide(person(CHANNEL_APPROVER), 'cancel')).toBe('allowed');
    expect(await decide(person(ADMIN), 'cancel')).toBe('allowed');
    expect(await decide(person(STRANGER), 'cancel')).toBe('forbidden');
    expect(await decide(person(STRANGER), 'view')).toBe('allowed');
  });

  it('hides a run from a person in another channel, admins included', async () => {
    for (const action of ['view', 'cancel', 'decide'] as const)
      expect(await decide(person(ADMIN), action, 'C0ELSEWHERE')).toBe('not_found');
    expect(await decide(person(STRANGER), 'view', 'C0RULES0001')).toBe('allowed');
  });

  it('lets API tokens act by role, and the command line always', async () => {
    const token = (role: 'viewer' | 'operator' | 'admin'): Actor => ({
      kind: 'token',
      role,
      by: `token:${role}`,
    });
    expect(await decide(token('viewer'), 'view')).toBe('allowed');
    expect(await decide(token('viewer'), 'decide')).toBe('forbidden');
    expect(await decide(token('viewer'), 'cancel')).toBe('forbidden');
    expect(await decide(token('operator'), 'decide')).toBe('allowed');
    expect(await decide(token('admin'), 'cancel')).toBe('allowed');
    expect(await decide({ kind: 'operator', by: 'cli:me' }, 'decide')).toBe('allowed');
  });
});

describeEachBackend('who may give money at a budget pause (authorizeRun fund)', (database) => {
  const token = (role: 'viewer' | 'operator' | 'admin'): Actor => ({
    kind: 'token',
    role,
    by: `token:${role}`,
  });
  /** A run of the channel paused at `scope`'s budget; its pause names the starter. */
  const pausedAt = async (scope: string, scopeId: string) => {
    const { store } = database();
    await store.channels.put('C0FUND00001', { approvers: [CHANNEL_APPROVER] }, { updatedBy: 't' });
    const { run } = await store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1',
      trigger: 'slack',
      channelId: 'C0FUND00001',
      userId: STARTER,
    });
    const step = await store.steps.ensure({
      runId: run.id,
      stepName: 'plan',
      stepIndex: 0,
      kind: 'ai_action',
    });
    await store.steps.wait(step.id, {
      pause: 'budget',
      scope,
      scope_id: scopeId,
      approvers: [STARTER],
      message: 'm',
    });
    return async (actor: Actor, action: RunAction = 'fund') => {
      const outcome = await authorizeRun(store, { actor, runId: run.id, action });
      return outcome.ok ? 'allowed' : outcome.reason;
    };
  };

  it('at the run’s own budget, funding is deciding', async () => {
    const fund = await pausedAt('run', 'r');
    expect(await fund(person(STARTER))).toBe('allowed');
    expect(await fund(person(CHANNEL_APPROVER))).toBe('allowed');
    expect(await fund(person(STRANGER))).toBe('forbidden');
    expect(await fund(token('operator'))).toBe('allowed');
  });

  it('past the channel’s monthly budget, for its approvers and admins; stopping stays the starter’s', async () => {
    const fund = await pausedAt('channel', 'C0FUND00001');
    expect(await fund(person(STARTER))).toBe('forbidden');
    expect(await fund(person(STARTER), 'decide')).toBe('allowed');
    expect(await fund(person(CHANNEL_APPROVER))).toBe('allowed');
    expect(await fund(person(ADMIN))).toBe('allowed');
    expect(await fund(token('operator'))).toBe('forbidden');
    expect(await fund(token('admin'))).toBe('allowed');
  });

  it('past a user’s or the global budget, for admins only (and the command line)', async () => {
    for (const [scope, id] of [
      ['global', '*'],
      ['user', STARTER],
    ] as const) {
      const fund = await pausedAt(scope, id);
      expect(await fund(person(STARTER))).toBe('forbidden');
      expect(await fund(person(CHANNEL_APPROVER))).toBe('forbidden');
      expect(await fund(person(ADMIN))).toBe('allowed');
      expect(await fund(token('operator'))).toBe('forbidden');
      expect(await fund(token('admin'))).toBe('allowed');
      expect(await fund({ kind: 'operator', by: 'cli:me' })).toBe('allowed');
      expect(await fund(person(STARTER), 'decide')).toBe('allowed');
    }
  });
});

it('keeps a channel’s settings to its approvers and admins, and to admins while it has none', async () => {
  expect(await authorizeSettings(person(STRANGER), [])).toMatchObject({ ok: false });
  expect(await authorizeSettings(person(STARTER), [])).toMatchObject({ ok: false });
  expect(await authorizeSettings(person(ADMIN), [])).toEqual({ ok: true });
  expect(await authorizeSettings(person(CHANNEL_APPROVER), [CHANNEL_APPROVER])).toEqual({
    ok: true,
  });
  expect(await authorizeSettings(person(STRANGER), [CHANNEL_APPROVER])).toMatchObject({
    ok: false,
    message: `Only this channel’s approvers (<@${CHANNEL_APPROVER}>) or a workspace admin may change its settings.`,
  });
});
