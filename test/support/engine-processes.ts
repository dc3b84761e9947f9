import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { WorkflowRegistry } from '../../src/engine/workflow-registry.js';
import { createAgendaJobQueue } from '../../src/jobs/agenda-job-queue.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { Monitoring } from '../../src/plugins/interfaces/monitoring.js';
import type { Run, RunStatus } from '../../src/store/repositories/runs.js';
import type { TestDatabase } from './backends.js';
import { childEnv, JsonLineProcess, REPO_ROOT } from './child-process.js';
import { ScriptedActions, ScriptedAgents } from './scripted-runners.js';

const ENGINE_WORKER = path.join(REPO_ROOT, 'test/fixtures/engine-worker.ts');
export const LOCK_LIFETIME_MS = 2_000;

/** A directory with one workflow and a settings file for fast takeover; tables the fixture counts in. */
export async function prepareEngineProcesses(
  t: TestDatabase,
  name: string,
  workflowYaml: string,
): Promise<{ configFile: string; dir: string }> {
  const root = await mkdtemp(path.join(inject('scratchDir'), 'engine-'));
  const dir = path.join(root, 'workflows');
  await mkdir(dir);
  await writeFile(path.join(dir, `${name}.yaml`), workflowYaml);
  const configFile = path.join(root, 'aidev.config.yaml');
  await writeFile(
    configFile,
    `jobs:\n  lock_lifetime: ${LOCK_LIFETIME_MS}ms\n  poll_interval: 100ms\nworkflows:\n  directory: ${dir}\n`,
  );
  await t.db.query(
    'CREATE TABLE IF NOT EXISTS test_action_calls (action text, key text, worker int, at timestamptz DEFAULT clock_timestamp())',
  );
  await t.db.query(
    'CREATE TABLE IF NOT EXISTS test_effects (key text PRIMARY KEY, action text, worker int)',
  );
  return { configFile, dir };
}

export function startEngineWorker(
  t: TestDatabase,
  configFile: string,
  env: Record<string, string> = {},
): JsonLineProcess {
  return new JsonLineProcess(
    ENGINE_WORKER,
    [],
    childEnv({ ...t.env, AIDEV_CONFIG: configFile, ...env }),
  );
}

/**
 * An engine in the test process that starts runs and takes decisions, but runs no jobs; with
 * `monitoring`, the runs it starts get their trace (#20) as a server's would.
 */
export async function controllingEngine(
  t: TestDatabase,
  dir: string,
  monitoring?: Monitoring,
): Promise<Engine> {
  const logger = silentLogger();
  const workflows = await WorkflowRegistry.load(dir, standardWorkflowEnvironment(REPO_ROOT));
  const jobs = createAgendaJobQueue({
    pool: t.db.pool,
    notifications: false,
    lockLifetimeMs: LOCK_LIFETIME_MS,
    pollIntervalMs: 100,
    concurrency: 1,
    workerName: 'test-controller',
    logger,
  });
  return createEngine({
    store: t.store,
    jobs,
    workflows,
    actions: new ScriptedActions(),
    agents: new ScriptedAgents(),
    logger,
    worker: 'test-controller',
    ...(monitoring === undefined ? {} : { monitoring }),
  });
}

export async function waitForRun(
  t: TestDatabase,
  runId: string,
  statuses: readonly RunStatus[],
  timeoutMs = 30_000,
): Promise<Run> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await t.store.runs.get(runId);
    if (run !== null && statuses.includes(run.status)) return afterItsEvent(t, run);
    if (Date.now() > deadline)
      throw new Error(
        `run is ${run?.status ?? 'missing'}, not ${statuses.join('/')}, after ${timeoutMs} ms\n${await diagnose(t, runId)}`,
      );
    await sleep(50);
  }
}

const ENDED: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * An ended run, once its run log has the event that says so too: the engine records
 * `run.succeeded` (or failed, cancelled) just after it moves the run there, and a test that
 * reads the log at once would race it. Runs ended by a path that records no such event are
 * returned after a short while all the same.
 */
async function afterItsEvent(t: TestDatabase, run: Run): Promise<Run> {
  if (!ENDED.includes(run.status)) return run;
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const events = await t.store.events.listForRun(run.id, { limit: 5_000 });
    if (events.some((e) => e.type === `run.${run.status}`)) break;
    await sleep(20);
  }
  return run;
}

/** The state of a run's steps, events and jobs, for a failing test's message. */
async function diagnose(t: TestDatabase, runId: string): Promise<string> {
  const steps = await t.store.steps.listForRun(runId);
  const events = await t.store.events.listForRun(runId);
  const jobs = await t.db.query(
    'SELECT name, data, locked_at, next_run_at, last_finished_at, fail_reason, last_modified_by FROM agenda_jobs',
  );
  return [
    `steps: ${JSON.stringify(steps.map((s) => [s.stepName, s.status, s.attempt, s.worker, s.heartbeatAt]))}`,
    `events: ${JSON.stringify(events.map((e) => e.message))}`,
    `jobs: ${JSON.stringify(jobs.rows)}`,
  ].join('\n');
}

export async function countsOf(
  t: TestDatabase,
): Promise<{ calls: Record<string, number>; effects: Record<string, number> }> {
  const calls = await t.db.query<{ action: string; n: number }>(
    'SELECT action, count(*) AS n FROM test_action_calls GROUP BY action',
  );
  const effects = await t.db.query<{ action: string; n: number }>(
    'SELECT action, count(*) AS n FROM test_effects GROUP BY action',
  );
  return {
    calls: Object.fromEntries(calls.rows.map((r) => [r.action, r.n])),
    effects: Object.fromEntries(effects.rows.map((r) => [r.action, r.n])),
  };
}
