import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { formatProblem } from '../errors/problem.js';
import { defineJob, type JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import { noMonitoring, type Monitoring } from '../plugins/interfaces/monitoring.js';
import type { ActionCatalog } from '../plugins/action-catalog.js';
import type { Run, RunTrigger } from '../store/repositories/runs.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { EngineEventBus } from './engine-events.js';
import { EventRecorder } from './event-recorder.js';
import { APPROVAL_TIMEOUT_JOB, RUN_JOB, SWEEP_JOB, type ExecutionDeps } from './execution.js';
import {
  cancel,
  decide,
  expireGate,
  sweep,
  type CancelOutcome,
  type DecisionOutcome,
  type DecisionRequest,
} from './run-control.js';
import {
  decidePause,
  recheckBudgetPauses,
  resumePausedBy,
  type PauseDecision,
  type PauseOutcome,
} from './pauses.js';
import { checkRunInputs } from './run-context.js';
import { executeRun } from './run-executor.js';
import type { ActionRunner, AgentRunner } from './runners.js';
import type { WorkflowRegistry } from './workflow-registry.js';

export interface EngineTiming {
  /** How often a running step renews its claim and checks for cancellation. */
  readonly heartbeatMs: number;
  /** A step claim older than this belongs to a dead worker and is taken over. */
  readonly staleMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** A queued or running run with no job for this long is re-queued by the sweep. */
  readonly stalledAfterMs: number;
}

export const DEFAULT_ENGINE_TIMING: EngineTiming = {
  heartbeatMs: 5_000,
  staleMs: 30_000,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  stalledAfterMs: 120_000,
};

export interface EngineOptions {
  readonly store: Store;
  readonly jobs: JobQueue;
  readonly workflows: WorkflowRegistry;
  readonly actions: ActionRunner;
  readonly agents: AgentRunner;
  readonly logger: Logger;
  /** This process's name on the steps it runs. */
  readonly worker: string;
  readonly timing?: Partial<EngineTiming>;
  /** Tells when budget holds are settled or released (the metered model), to recheck pauses. */
  readonly budgets?: BudgetSignals;
  /** Traces of runs and steps (default: none). */
  readonly monitoring?: Monitoring;
}

/** Where the engine hears that a budget may have room again. */
export interface BudgetSignals {
  onFreed(listener: () => void): unknown;
}

export interface StartRunRequest {
  readonly workflow: string;
  readonly inputs?: JsonObject;
  readonly trigger: RunTrigger;
  readonly channelId?: string;
  readonly userId?: string;
  readonly projectId?: string;
  readonly taskKey?: string;
  /** Starting twice with the same key (a retried Slack command) returns the first run. */
  readonly idempotencyKey?: string;
}

export interface Engine {
  readonly events: EngineEventBus;
  readonly workflows: WorkflowRegistry;
  startRun(request: StartRunRequest): Promise<{ run: Run; created: boolean }>;
  decide(runId: string, request: DecisionRequest): Promise<DecisionOutcome>;
  cancel(runId: string, by: string): Promise<CancelOutcome>;
  /** Decides a budget pause: grant more to the run, let it go on, or stop it. */
  decidePause(
    runId: string,
    decision: PauseDecision & { readonly override?: boolean },
  ): Promise<PauseOutcome>;
  /** After a monthly budget was raised: the runs it paused go on. Returns their ids. */
  resumePausedBy(scope: string, scopeId: string, by: string): Promise<string[]>;
  /**
   * After holds were settled or released: runs paused only by holds go on if their budget has
   * room now. Concurrent requests share one pass (and one more after it). Returns their ids.
   */
  recheckBudgetPauses(): Promise<string[]>;
  /** Schedules the recurring sweep; call once where workers run. */
  scheduleMaintenance(): Promise<void>;
}

/**
 * The workflow engine: starts runs, executes them as durable jobs, and resumes them after
 * approvals, crashes and restarts. Front ends subscribe to `events`.
 */
export function createEngine(options: EngineOptions): Engine {
  const timing = { ...DEFAULT_ENGINE_TIMING, ...options.timing };
  const logger = options.logger.child({ component: 'engine' });
  const events = new EngineEventBus(logger);
  const recorder = new EventRecorder(options.store, events, logger);
  const catalog: ActionCatalog = options.workflows.env.actions;
  const deps: ExecutionDeps = {
    store: options.store,
    jobs: options.jobs,
    actions: options.actions,
    agents: options.agents,
    catalog,
    recorder,
    logger,
    worker: options.worker,
    heartbeatMs: timing.heartbeatMs,
    staleMs: timing.staleMs,
    retry: { baseMs: timing.retryBaseMs, maxMs: timing.retryMaxMs },
    monitoring: options.monitoring ?? noMonitoring,
  };
  const control = { store: options.store, jobs: options.jobs, recorder, logger };
  const recheck = coalesce(() => recheckBudgetPauses(control));
  options.budgets?.onFreed(() => {
    recheck().catch((error: unknown) =>
      logger.warn({ err: error }, 'could not recheck the runs paused at a budget'),
    );
  });

  options.jobs.define(
    defineJob({
      name: RUN_JOB,
      schema: z.object({ runId: z.uuid() }),
      removeOnComplete: true,
      handler: ({ data, signal, log }) =>
        executeRun({
          deps,
          runId: data.runId,
          jobSignal: signal,
          log,
          workflowOf: (run) =>
            options.workflows.fromDefinition(run.workflowDefinition, run.workflowDigest),
        }),
    }),
  );
  options.jobs.define(
    defineJob({
      name: APPROVAL_TIMEOUT_JOB,
      schema: z.object({ runId: z.uuid(), step: z.string() }),
      removeOnComplete: true,
      handler: ({ data }) => expireGate(control, data.runId, data.step),
    }),
  );
  options.jobs.define(
    defineJob({
      name: SWEEP_JOB,
      schema: z.object({}),
      concurrency: 1,
      handler: async () => {
        await sweep(control, timing.stalledAfterMs);
      },
    }),
  );

  return {
    events,
    workflows: options.workflows,
    async startRun(request) {
      const workflow = options.workflows.get(request.workflow);
      const inputs = request.inputs ?? {};
      const problems = checkRunInputs(workflow, inputs);
      if (problems.length > 0) {
        throw new AppError(
          'invalid_input',
          `inputs of ${request.workflow}: ${problems.map(formatProblem).join('; ')}`,
        );
      }
      const created = await options.store.runs.create({
        workflowName: request.workflow,
        workflowVersion: workflow.version,
        workflowDigest: workflow.digest,
        workflowDefinition: workflow.definition as JsonObject,
        inputs,
        trigger: request.trigger,
        deadlineAt: new Date(Date.now() + workflow.timeoutMs),
        ...optional(request),
        // The run's trace, made now: whichever worker runs its steps continues it (#20).
        ...traceOf(deps.monitoring),
      });
      if (created.created) await options.jobs.enqueue(RUN_JOB, { runId: created.run.id });
      return created;
    },
    decide: (runId, request) => decide(control, runId, request),
    cancel: (runId, by) => cancel(control, runId, by),
    decidePause: (runId, decision) => decidePause(control, runId, decision),
    resumePausedBy: (scope, scopeId, by) => resumePausedBy(control, scope, scopeId, by),
    recheckBudgetPauses: recheck,
    scheduleMaintenance: () => options.jobs.every('1 minute', SWEEP_JOB),
  };
}

/**
 * One pass of `task` at a time: a request while it runs gets the next pass, which starts when
 * this one ends and covers every request made meanwhile (many holds settle at once).
 */
function coalesce<T>(task: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  return () => {
    if (running === undefined) {
      running = task().finally(() => (running = undefined));
      return running;
    }
    next ??= running
      .catch(() => undefined)
      .then(() => {
        next = undefined;
        running = task().finally(() => (running = undefined));
        return running;
      });
    return next;
  };
}

function traceOf(monitoring: Monitoring): { traceContext?: string } {
  const traceContext = monitoring.newRunTrace();
  return traceContext === undefined ? {} : { traceContext };
}

function optional(request: StartRunRequest) {
  return {
    ...(request.channelId === undefined ? {} : { channelId: request.channelId }),
    ...(request.userId === undefined ? {} : { userId: request.userId }),
    ...(request.projectId === undefined ? {} : { projectId: request.projectId }),
    ...(request.taskKey === undefined ? {} : { taskKey: request.taskKey }),
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
  };
}
