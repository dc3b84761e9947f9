import { setTimeout as sleep } from 'node:timers/promises';
import type { App } from '../app/create-app.js';
import type { Run, RunStatus } from '../store/repositories/runs.js';
import { createDemoTask, ensureSampleRepository, SAMPLE_REPOSITORY } from './sample-project.js';

export const DEMO_WORKFLOW = 'implement-task';
export const DEMO_CHANNEL = 'demo';

export interface DemoRun {
  readonly run: Run;
  readonly taskKey: string;
  readonly repositoryPath: string;
}

/**
 * The demo's work: the sample repository (created once), a new task for this run, and the
 * implement-task workflow on it, the plan approved by `approver` when the run asks. Needs a
 * worker in this process (`app.startWorker()`).
 */
export async function runDemoFlow(
  app: App,
  options: {
    approver: string;
    timeoutMs?: number;
    onStarted?: (run: Run, taskKey: string) => void;
  },
): Promise<DemoRun> {
  const repositoryPath = await ensureSampleRepository(app.config.dataDir, app.logger);
  const taskKey = await createDemoTask(app);
  const { run } = await app.engine.startRun({
    workflow: DEMO_WORKFLOW,
    inputs: { task_key: taskKey, repository: SAMPLE_REPOSITORY, channel: DEMO_CHANNEL },
    trigger: 'cli',
    userId: options.approver,
    taskKey,
  });
  options.onStarted?.(run, taskKey);
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const current = await untilStatus(
      app,
      run.id,
      ['waiting', 'succeeded', 'failed', 'cancelled'],
      deadline,
    );
    if (current.status !== 'waiting') return { run: current, taskKey, repositoryPath };
    if (current.waitingFor === 'approval')
      await app.engine.decide(run.id, { approve: true, by: options.approver });
    else return { run: current, taskKey, repositoryPath };
    await untilStatus(
      app,
      run.id,
      ['queued', 'running', 'succeeded', 'failed', 'cancelled'],
      deadline,
    );
  }
}

/** Polls the run until it reaches one of `statuses` (runs may finish in another process). */
export async function untilStatus(
  app: App,
  runId: string,
  statuses: readonly RunStatus[],
  deadline: number,
): Promise<Run> {
  for (;;) {
    const run = await app.store.runs.get(runId);
    if (run === null) throw new Error(`run ${runId} does not exist`);
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline)
      throw new Error(
        `run ${runId} is still ${run.status}; it did not reach ${statuses.join(' or ')} in time`,
      );
    await sleep(100);
  }
}
