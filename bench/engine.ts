/**
 * Engine benchmark: 1,000 runs of a 10-step workflow of no-op plugin actions, executed by 1
 * and by 2 worker processes, on PostgreSQL and on PGlite; and, as the baseline, 1,000 plain
 * job-queue jobs that do nothing. Reports runs/s, wall-clock ms per step, and the engine's
 * overhead per step over a bare job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createEngine } from '../src/engine/engine.js';
import { standardWorkflowEnvironment } from '../src/engine/workflow-environment.js';
import { WorkflowRegistry } from '../src/engine/workflow-registry.js';
import { createAgendaJobQueue } from '../src/jobs/agenda-job-queue.js';
import { silentLogger } from '../src/log/create-logger.js';
import { createStore } from '../src/store/store.js';
import { benchPglite, benchPostgres, type BenchDatabase } from './support/databases.js';
import { fmt, table } from './support/measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 1000);
const STEPS = 10;
const ROOT = path.resolve(import.meta.dirname, '..');

function workflowYaml(): string {
  const steps = Array.from(
    { length: STEPS },
    (_, i) =>
      `  - name: step_${i}\n    plugin: communication\n    action: send_message\n    inputs: { channel: C1, message: "step ${i} of \${run.id}" }\n`,
  );
  return `name: bench\nsteps:\n${steps.join('')}`;
}

async function prepare(
  target: BenchDatabase,
): Promise<{ dir: string; env: Record<string, string> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'aidev-bench-engine-'));
  const dir = path.join(root, 'workflows');
  await mkdir(dir);
  await writeFile(path.join(dir, 'bench.yaml'), workflowYaml());
  const configFile = path.join(root, 'aidev.config.yaml');
  await writeFile(configFile, `workflows:\n  directory: ${dir}\njobs:\n  concurrency: 4\n`);
  const env: Record<string, string> = { AIDEV_CONFIG: configFile, LOG_LEVEL: 'error' };
  if (target.url !== undefined) env.DATABASE_URL = target.url;
  if (target.dataDir !== undefined) env.AIDEV_DATA_DIR = target.dataDir;
  return { dir, env };
}

async function startWorkers(
  count: number,
  mode: 'engine' | 'agenda',
  env: Record<string, string>,
): Promise<ChildProcess[]> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AIDEV_') && k !== 'DATABASE_URL'),
  );
  const workers = Array.from({ length: count }, () =>
    spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/support/bench-worker.ts'), mode],
      { cwd: ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    ),
  );
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          createInterface({ input: w.stdout as NodeJS.ReadableStream }).on(
            'line',
            (line) => line === 'ready' && resolve(),
          );
          w.once('exit', (code) => reject(new Error(`bench worker exited with ${String(code)}`)));
        }),
    ),
  );
  return workers;
}

async function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) =>
          w.exitCode !== null ? resolve() : (w.once('exit', () => resolve()), w.kill('SIGKILL')),
        ),
    ),
  );
}

async function until(count: () => Promise<number>, target: number): Promise<void> {
  while ((await count()) < target) await sleep(50);
}

async function measure(
  target: BenchDatabase,
  workerCount: number,
): Promise<{ agendaMs: number; engineMs: number }> {
  const { dir, env } = await prepare(target);
  const logger = silentLogger();
  const queue = createAgendaJobQueue({
    pool: target.db.pool,
    notifications: false,
    lockLifetimeMs: 30_000,
    pollIntervalMs: 200,
    concurrency: 1,
    workerName: 'bench',
    logger,
  });

  for (let i = 0; i < RUNS; i++) await queue.enqueue('bench.noop', { i });
  let workers = await startWorkers(workerCount, 'agenda', env);
  let started = performance.now();
  await until(
    async () =>
      (
        await target.db.query<{ n: number }>(
          "SELECT count(*) AS n FROM agenda_jobs WHERE name = 'bench.noop' AND last_finished_at IS NOT NULL",
        )
      ).rows[0]?.n ?? 0,
    RUNS,
  );
  const agendaMs = performance.now() - started;
  await stopWorkers(workers);

  const store = createStore(target.db);
  const engine = createEngine({
    store,
    jobs: queue,
    workflows: await WorkflowRegistry.load(dir, standardWorkflowEnvironment(ROOT)),
    actions: { run: () => Promise.reject(new Error('the benchmark controller runs no actions')) },
    agents: { run: () => Promise.reject(new Error('the benchmark controller runs no agents')) },
    logger,
    worker: 'bench',
  });
  for (let i = 0; i < RUNS; i++) await engine.startRun({ workflow: 'bench', trigger: 'api' });
  workers = await startWorkers(workerCount, 'engine', env);
  started = performance.now();
  await until(async () => (await store.runs.countByStatus()).succeeded, RUNS);
  const engineMs = performance.now() - started;
  await stopWorkers(workers);
  const failed = (await store.runs.countByStatus()).failed;
  if (failed > 0) throw new Error(`${failed} benchmark runs failed`);
  return { agendaMs, engineMs };
}

export async function run(): Promise<void> {
  console.log(
    `\n## bench/engine.ts — ${RUNS} runs × ${STEPS} no-op plugin steps, vs ${RUNS} bare jobs (worker concurrency 4)\n`,
  );
  const rows: string[][] = [];
  for (const open of [benchPostgres, benchPglite]) {
    for (const workers of [1, 2]) {
      const target = await open();
      if (target === null) break;
      try {
        const { agendaMs, engineMs } = await measure(target, workers);
        const perStep = engineMs / (RUNS * STEPS);
        const overhead = (engineMs - agendaMs) / (RUNS * STEPS);
        rows.push([
          target.name,
          String(workers),
          fmt(RUNS / (engineMs / 1000)),
          fmt(perStep),
          fmt(RUNS / (agendaMs / 1000)),
          fmt(overhead),
          `${fmt(engineMs / agendaMs)}×`,
        ]);
      } finally {
        await target.dispose();
      }
    }
  }
  console.log(
    table(
      [
        'database',
        'workers',
        'runs/s',
        'ms per step',
        'bare jobs/s',
        'engine overhead ms/step',
        'run time ÷ bare job time',
      ],
      rows,
    ),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
