import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../../app/create-app.js';
import type { Run } from '../../store/repositories/runs.js';
import type { ProgressView } from './progress-view.js';
import { FINISHED, RunReader } from './run-snapshot.js';

/** How decisions the run asks for are made while it is followed. */
export interface Decider {
  /** The plan (or other gate) needs a decision: approve, reject (with feedback), or leave it. */
  approval(gate: {
    step: string;
    message: string;
    plan: string | undefined;
  }): Promise<{ approve: boolean; feedback?: string } | undefined>;
  /** A budget would be exceeded: grant this run an amount, raise the budget, stop, or leave it. */
  budget(pause: {
    step: string;
    message: string;
    scope: string;
  }): Promise<{ grant: string } | { raise: string } | { stop: true } | undefined>;
}

export interface FollowResult {
  readonly run: Run;
  /** Set when the run waits for a decision nobody here could make. */
  readonly waiting?: 'approval' | 'budget';
  readonly stopped?: boolean;
}

/**
 * Follows a run until it ends, showing its progress and asking for the decisions it needs.
 * The run may execute in this process or in any worker; following only reads the store. Stops
 * early (the run goes on without us) when `stop` settles.
 */
export async function followRun(options: {
  app: App;
  runId: string;
  view: ProgressView;
  decider: Decider;
  /** Who decides, as recorded on the decision. */
  by: string;
  stop: Promise<unknown>;
}): Promise<FollowResult> {
  const { app, view } = options;
  const reader = new RunReader(app, options.runId);
  const activity = new Map<string, string>();
  const unsubscribe = app.engine.events.subscribe((event) => {
    if (
      event.runId === options.runId &&
      event.type === 'agent.status_update' &&
      event.step !== undefined
    )
      activity.set(event.step, event.message);
  });
  let stopped = false;
  void options.stop.then(() => {
    stopped = true;
  });
  try {
    for (;;) {
      const snapshot = await reader.read();
      view.show(snapshot, activity);
      const { run } = snapshot;
      if (FINISHED.includes(run.status)) return { run };
      if (stopped) return { run, stopped: true };
      if (run.status === 'waiting') {
        const decided = await decide(options);
        if (!decided) return { run, waiting: run.waitingFor ?? 'approval' };
      }
      await Promise.race([sleep(250), options.stop]);
    }
  } finally {
    unsubscribe();
  }
}

/** Asks for the decision the run waits for; false when nobody here decided. */
async function decide(options: {
  app: App;
  runId: string;
  view: ProgressView;
  decider: Decider;
  by: string;
}): Promise<boolean> {
  const { app, runId, view, by } = options;
  const waiting = (await app.store.steps.listForRun(runId)).find((s) => s.status === 'waiting');
  if (waiting === undefined) return true;
  const record = (waiting.inputs ?? {}) as { message?: string; pause?: string; scope?: string };
  view.hold();
  if (record.pause === 'budget') {
    const answer = await options.decider.budget({
      step: waiting.stepName,
      message: record.message ?? '',
      scope: record.scope ?? 'run',
    });
    if (answer === undefined) return false;
    // The command line acts as an operator (authorizeRun): it may also give money past a
    // monthly budget, which the run's approvers alone may not.
    const outcome = await app.engine.decidePause(
      runId,
      'stop' in answer
        ? { action: 'stop', by }
        : 'raise' in answer
          ? { action: 'raise', amountUsd: answer.raise, by, override: true }
          : { action: 'grant', amountUsd: answer.grant, by, override: record.scope !== 'run' },
    );
    if (outcome.outcome === 'invalid') view.say(outcome.message);
    if (outcome.outcome === 'cannot_continue') view.say(`Not taken: ${outcome.reason}.`);
    return outcome.outcome !== 'not_allowed';
  }
  const plan = planOf(await app.store.steps.listForRun(runId));
  const answer = await options.decider.approval({
    step: waiting.stepName,
    message: record.message ?? '',
    plan,
  });
  if (answer === undefined) return false;
  const outcome = await app.engine.decide(runId, {
    approve: answer.approve,
    by,
    ...(answer.feedback === undefined ? {} : { feedback: answer.feedback }),
  });
  if (outcome.outcome === 'not_allowed') {
    view.say(`Only ${outcome.approvers.join(', ')} may decide at ${outcome.step}.`);
    return false;
  }
  if (outcome.outcome === 'cannot_continue') view.say(`Not taken: ${outcome.reason}.`);
  return true;
}

/** The plan the run made before this gate, as people read it, if it made one. */
function planOf(rows: readonly { outputs: unknown }[]): string | undefined {
  for (const row of [...rows].reverse()) {
    const outputs = row.outputs as { plan?: { text?: unknown }; breakdown_text?: unknown } | null;
    if (typeof outputs?.plan?.text === 'string') return outputs.plan.text;
    if (typeof outputs?.breakdown_text === 'string') return outputs.breakdown_text;
  }
  return undefined;
}
