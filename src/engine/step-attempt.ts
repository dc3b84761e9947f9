import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log/create-logger.js';
import type { ActionCatalog } from '../plugins/action-catalog.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import type { EventRecorder } from './event-recorder.js';
import type { ActionRunner, AgentRunner, RunInfo } from './runners.js';
import {
  RunCancelledError,
  StepError,
  StepTakenOverError,
  StepTimeoutError,
} from './step-errors.js';
import type { AiActionStep, PluginActionStep } from './workflow-model.js';

export interface AttemptEnvironment {
  readonly store: Store;
  readonly actions: ActionRunner;
  readonly agents: AgentRunner;
  readonly catalog: ActionCatalog;
  readonly recorder: EventRecorder;
  readonly worker: string;
  /** How often a running step renews its claim and checks for cancellation. */
  readonly heartbeatMs: number;
  /** A claim older than this belongs to a dead worker and may be taken over. */
  readonly staleMs: number;
}

/**
 * One attempt of a plugin or AI step: claims it, calls the action or agent with the step's
 * idempotency key, and keeps the claim alive. The attempt is abandoned (its promise rejects)
 * on timeout, cancellation, the run's deadline, or when this worker loses the run.
 */
export async function attemptStep(options: {
  env: AttemptEnvironment;
  run: RunInfo;
  step: PluginActionStep | AiActionStep;
  row: RunStep;
  input: JsonObject;
  signal: AbortSignal;
  log: Logger;
}): Promise<{ result: unknown; row: RunStep }> {
  const { env, step, row, input } = options;
  const claimed = await claim(env, step.name, row, input, options.signal);
  await env.recorder.record({
    type: 'step.started',
    runId: options.run.id,
    step: step.name,
    message: `${step.name} started${claimed.attempt > 1 ? ` (attempt ${claimed.attempt})` : ''}`,
    data: { attempt: claimed.attempt },
  });

  const controller = new AbortController();
  const signal = AbortSignal.any([options.signal, controller.signal]);
  const timer =
    step.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new StepTimeoutError(step.name, step.timeoutMs ?? 0)),
          step.timeoutMs,
        );
  const heartbeat = setInterval(() => {
    void env.store.steps.heartbeat(row.id, env.worker).then(
      ({ held, cancelRequested }) => {
        if (!held) controller.abort(new StepTakenOverError(step.name));
        else if (cancelRequested) controller.abort(new RunCancelledError());
      },
      (error: unknown) => options.log.warn({ err: error }, 'could not renew the step claim'),
    );
  }, env.heartbeatMs);
  try {
    const call = {
      run: options.run,
      step: step.name,
      attempt: claimed.attempt,
      idempotencyKey: row.idempotencyKey,
      signal,
      log: options.log,
    };
    const work =
      step.kind === 'plugin_action'
        ? env.actions.run({ ...call, plugin: step.plugin, action: step.action, input })
        : env.agents.run({
            ...call,
            agent: step.agent,
            promptTemplate: step.promptTemplate,
            input,
            progress: (fraction, message) =>
              env.recorder.publish({
                type: 'agent.status_update',
                runId: options.run.id,
                step: step.name,
                message,
                data: { progress: fraction },
              }),
            record: (event) =>
              env.recorder.record({ ...event, runId: options.run.id, step: step.name }),
          });
    const result = await untilAborted(work, signal);
    return {
      result: step.kind === 'plugin_action' ? checkOutput(env.catalog, step, result) : result,
      row: claimed,
    };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    clearInterval(heartbeat);
  }
}

/**
 * Claims the step for this worker. This worker holds the run's job, so a claim held by another
 * worker is most likely a dead worker's whose job lock expired just before its step heartbeat
 * went stale: wait for the heartbeat to go stale, then take over. A worker that keeps
 * heartbeating is alive and still running the step, and keeps it.
 */
async function claim(
  env: AttemptEnvironment,
  name: string,
  row: RunStep,
  input: JsonObject,
  signal: AbortSignal,
): Promise<RunStep> {
  for (let tries = 0; tries < 3; tries++) {
    const claimed = await env.store.steps.start(
      row.id,
      input,
      env.worker,
      new Date(Date.now() - env.staleMs),
    );
    if (claimed !== null) return claimed;
    const current = (await env.store.steps.listForRun(row.runId)).find((s) => s.id === row.id);
    if (current?.status !== 'running' || current.heartbeatAt === null)
      throw new StepTakenOverError(name);
    const wait = current.heartbeatAt.getTime() + env.staleMs - Date.now() + 50;
    await sleep(Math.max(50, Math.min(wait, env.staleMs + 50)), undefined, { signal });
  }
  throw new StepTakenOverError(name);
}

/** Rejects with the abort reason as soon as `signal` aborts, whether or not `work` listens. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** An action that returns something else than its signature promises is a bug worth naming. */
function checkOutput(catalog: ActionCatalog, step: PluginActionStep, result: unknown): unknown {
  const signature = catalog.get(step.plugin, step.action);
  if (signature === undefined) return result;
  const parsed = signature.output.safeParse(result);
  if (parsed.success) return result;
  const first = parsed.error.issues[0];
  throw new StepError(
    `${step.plugin}.${step.action} returned a result that does not match its signature (${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'})`,
    { code: 'invalid_action_result' },
  );
}
