import type { BudgetSignals, Engine, EngineTiming } from '../../src/engine/engine.js';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/engine-events.js';
import type { ActionRunner, AgentRunner } from '../../src/engine/runners.js';
import { loadWorkflowText } from '../../src/engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { WorkflowRegistry } from '../../src/engine/workflow-registry.js';
import { createAgendaJobQueue } from '../../src/jobs/agenda-job-queue.js';
import type { JobQueue } from '../../src/jobs/job-queue.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Monitoring } from '../../src/plugins/interfaces/monitoring.js';
import type { Run, RunStatus } from '../../src/store/repositories/runs.js';
import type { TestDatabase } from './backends.js';
import { REPO_ROOT } from './child-process.js';
import { waitForRun } from './engine-processes.js';
import { ScriptedActions, ScriptedAgents } from './scripted-runners.js';

export const FAST_TIMING: EngineTiming = {
  heartbeatMs: 50,
  staleMs: 2_000,
  retryBaseMs: 10,
  retryMaxMs: 50,
  stalledAfterMs: 60_000,
};

export interface EngineHarness {
  readonly engine: Engine;
  readonly jobs: JobQueue;
  readonly actions: ScriptedActions;
  readonly agents: ScriptedAgents;
  readonly events: EngineEvent[];
  /** Adds a workflow from YAML text under `name`; fails the test if it does not compile. */
  workflow(name: string, yaml: string): void;
  waitFor(runId: string, statuses: readonly RunStatus[], timeoutMs?: number): Promise<Run>;
  stop(): Promise<void>;
}

/** An engine on a test database with scripted actions and agents, working on jobs in-process. */
export async function startEngine(
  t: TestDatabase,
  timing: Partial<EngineTiming> = {},
  runners: {
    /** Runs plugin actions instead of the scripted ones (e.g. real plugins through a registry). */
    actions?: ActionRunner;
    /** Runs agents instead of the scripted ones (e.g. the real agents on a local model). */
    agents?: AgentRunner;
    /** The metered model of those agents, whose settled holds recheck budget pauses. */
    budgets?: BudgetSignals;
    /** Traces of the runs and steps (#20). */
    monitoring?: Monitoring;
  } = {},
): Promise<EngineHarness> {
  const logger = silentLogger();
  const env = standardWorkflowEnvironment(REPO_ROOT);
  const workflows = new WorkflowRegistry(env);
  const jobs = createAgendaJobQueue({
    pool: t.db.pool,
    notifications: t.db.kind === 'postgres',
    lockLifetimeMs: 10_000,
    pollIntervalMs: 50,
    concurrency: 4,
    workerName: 'test-worker',
    logger,
  });
  const actions = new ScriptedActions();
  const agents = new ScriptedAgents();
  const engine = createEngine({
    store: t.store,
    jobs,
    workflows,
    actions: runners.actions ?? actions,
    agents: runners.agents ?? agents,
    logger,
    worker: 'test-worker',
    timing: { ...FAST_TIMING, ...timing },
    ...(runners.budgets === undefined ? {} : { budgets: runners.budgets }),
    ...(runners.monitoring === undefined ? {} : { monitoring: runners.monitoring }),
  });
  const events: EngineEvent[] = [];
  engine.events.subscribe((event) => {
    events.push(event);
  });
  await jobs.start();
  return {
    engine,
    jobs,
    actions,
    agents,
    events,
    workflow(name, yaml) {
      const loaded = loadWorkflowText(yaml, `${name}.yaml`, env);
      if (!loaded.ok)
        throw new Error(
          loaded.problems.map((p) => `${p.where ?? ''} ${p.path}: ${p.message}`).join('\n'),
        );
      workflows.add(name, loaded.workflow);
    },
    waitFor: (runId, statuses, timeoutMs = 20_000) => waitForRun(t, runId, statuses, timeoutMs),
    stop: () => jobs.stop({ drainTimeoutMs: 1_000 }),
  };
}
