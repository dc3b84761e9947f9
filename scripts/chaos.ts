/**
 * Chaos run: N runs of implement-task on the embedded backends (local tracker, local git, local
 * docs, console channel, the recorded demo transcript), worked on by several `aidev worker`
 * processes that are killed at random — SIGKILL or SIGTERM, and on PGlite the process serving the
 * embedded database — and restarted. Approves every plan as it is asked for. At the end it counts
 * how runs ended and every side effect per run: branches, commits, pull requests, tracker
 * comments, documentation pages, channel messages and model calls, against a clean run's.
 *
 *   npx tsx scripts/chaos.ts --backend postgres --runs 12 --kills 16
 *   npx tsx scripts/chaos.ts --backend pglite --runs 12 --kills 16
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApp, type App } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import {
  createDemoTask,
  ensureSampleRepository,
  SAMPLE_REPOSITORY,
} from '../src/demo/sample-project.js';
import { git } from '../src/git/git.js';
import { createLogger } from '../src/log/create-logger.js';
import { TERMINAL_RUN_STATUSES } from '../src/store/repositories/runs.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '12' },
    workers: { type: 'string', default: '3' },
    kills: { type: 'string', default: '16' },
    'kill-every-ms': { type: 'string', default: '2500' },
    'timeout-s': { type: 'string', default: '900' },
  },
});
const RUNS = Number(values.runs);
const WORKERS = Number(values.workers);
const KILLS = Number(values.kills);
const KILL_EVERY_MS = Number(values['kill-every-ms']);
const ROOT = path.resolve(import.meta.dirname, '..');
const APPROVER = 'U0CHAOS01';

const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-chaos-'));
const dataDir = path.join(scratch, 'data');
const configFile = path.join(scratch, 'aidev.config.yaml');
await writeFile(
  configFile,
  [
    'jobs:',
    '  lock_lifetime: 4s',
    '  poll_interval: 200ms',
    '  drain_timeout: 1s',
    `workflows:\n  directory: ${path.join(ROOT, 'workflows')}`,
    `ai:\n  transcript: ${path.join(ROOT, 'transcripts/demo.json')}`,
  ].join('\n'),
);
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !/^(AIDEV_|DATABASE_URL$|SLACK_|GITHUB_|JIRA_|CONFLUENCE_|ANTHROPIC_)/.test(k),
  ),
);
Object.assign(env, { AIDEV_DATA_DIR: dataDir, AIDEV_CONFIG: configFile, LOG_LEVEL: 'info' });
if (values.backend === 'postgres') {
  const name = `aidev_chaos_${Date.now()}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  env.DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${name}`;
}

interface Worker {
  readonly id: number;
  proc: ChildProcess;
  alive: boolean;
  ready: boolean;
}
const workers: Worker[] = [];
const consoleMessages: string[] = [];

function startWorker(id: number): Worker {
  const log = createWriteStream(path.join(scratch, `worker-${id}.log`), { flags: 'a' });
  const proc = spawn(process.execPath, [path.join(ROOT, 'bin/aidev.js'), 'worker'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker: Worker = { id, proc, alive: true, ready: false };
  const onLine = (chunk: Buffer) => {
    log.write(chunk);
    const text = chunk.toString('utf8');
    if (text.includes('job worker started')) worker.ready = true;
    for (const line of text.split('\n'))
      if (line.includes('"plugin":"console"') && line.includes('ready for review'))
        consoleMessages.push(line);
  };
  proc.stdout?.on('data', onLine);
  proc.stderr?.on('data', onLine);
  proc.on('exit', () => {
    worker.alive = false;
    log.end();
  });
  return worker;
}

async function until(condition: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(100);
  }
}

/** The pid serving the embedded database (PGlite), from its instance lock. */
function pgliteOwnerPid(): number | undefined {
  const file = path.join(dataDir, 'embedded.lock');
  if (!existsSync(file)) return undefined;
  const pid = /"pid"\s*:\s*(\d+)/.exec(readFileSync(file, 'utf8'))?.[1];
  return pid === undefined ? undefined : Number(pid);
}

for (let i = 0; i < WORKERS; i++) workers.push(startWorker(i));
await until(() => workers.some((w) => w.ready));

const config = loadConfig({ env, cwd: ROOT });
const logger = createLogger({ level: 'warn', format: 'json', secrets: config.secrets });
const app: App = await createApp({ config, logger });
await ensureSampleRepository(dataDir, logger);
const repo = path.join(dataDir, 'repos', SAMPLE_REPOSITORY);

async function startRuns(n: number): Promise<{ runId: string; taskKey: string }[]> {
  const started = [];
  for (let i = 0; i < n; i++) {
    const taskKey = await createDemoTask(app);
    const { run } = await app.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: taskKey, repository: SAMPLE_REPOSITORY, channel: 'chaos' },
      trigger: 'cli',
      userId: APPROVER,
      taskKey,
    });
    started.push({ runId: run.id, taskKey });
  }
  return started;
}

async function approveAndWait(runIds: string[], deadline: number): Promise<void> {
  for (;;) {
    let open = 0;
    for (const id of runIds) {
      const run = await app.store.runs.get(id).catch(() => null);
      if (run === null) {
        open++;
        continue;
      }
      if (run.status === 'waiting' && run.waitingFor === 'approval')
        await app.engine.decide(id, { approve: true, by: APPROVER }).catch(() => undefined);
      if (!TERMINAL_RUN_STATUSES.includes(run.status)) open++;
    }
    if (open === 0) return;
    if (Date.now() > deadline) throw new Error(`${open} run(s) did not end in time`);
    await sleep(300);
  }
}

async function sideEffects(runId: string, taskKey: string) {
  const q = <T extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
    app.store.db.query<T>(sql, params).then((r) => r.rows);
  const branch = `aidev/${taskKey}`;
  const branches = (await git(['branch', '--list', branch], { cwd: repo })).trim() === '' ? 0 : 1;
  const commits =
    branches === 0
      ? 0
      : Number((await git(['rev-list', '--count', `main..${branch}`], { cwd: repo })).trim());
  const [prs] = await q<{ n: string }>(
    'SELECT count(*) AS n FROM local_pull_requests WHERE source_branch = $1',
    [branch],
  );
  const [comments] = await q<{ n: string }>(
    'SELECT count(*) AS n FROM task_comments c JOIN tasks t ON t.id = c.task_id WHERE t.key = $1',
    [taskKey],
  );
  const [costs] = await q<{ n: string; keys: string }>(
    'SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM cost_entries WHERE run_id = $1',
    [runId],
  );
  const docsDir = path.join(dataDir, 'docs');
  const pages = existsSync(docsDir)
    ? readdirSync(docsDir, { recursive: true }).filter((f) =>
        path.basename(String(f)).startsWith(`${taskKey.toLowerCase()}-`),
      ).length
    : 0;
  const messages = new Set(
    consoleMessages.filter((l) => l.includes(`${taskKey} is ready for review`)),
  ).size;
  return {
    branches,
    commits,
    prs: Number(prs?.n),
    comments: Number(comments?.n),
    pages,
    messages,
    model_calls: Number(costs?.n),
    cost_keys: Number(costs?.keys),
  };
}

// A clean run first: what one run's side effects are when nothing goes wrong.
const [clean] = await startRuns(1);
if (clean === undefined) throw new Error('no clean run');
await approveAndWait([clean.runId], Date.now() + 300_000);
const baseline = await sideEffects(clean.runId, clean.taskKey);
console.log(`clean run: ${JSON.stringify(baseline)}`);

const runs = await startRuns(RUNS);
const deadline = Date.now() + Number(values['timeout-s']) * 1000;
const kills: { signal: string; target: string }[] = [];
const chaos = (async () => {
  while (kills.length < KILLS) {
    await sleep(KILL_EVERY_MS * (0.5 + Math.random()));
    const alive = workers.filter((w) => w.alive && w.ready);
    if (alive.length === 0) continue;
    const ended = await Promise.all(runs.map((r) => app.store.runs.get(r.runId).catch(() => null)));
    if (ended.every((r) => r !== null && TERMINAL_RUN_STATUSES.includes(r.status))) return;
    const owner = values.backend === 'pglite' ? pgliteOwnerPid() : undefined;
    const ownerWorker = alive.find((w) => w.proc.pid === owner);
    const victim =
      ownerWorker !== undefined && Math.random() < 0.3
        ? ownerWorker
        : alive[Math.floor(Math.random() * alive.length)];
    if (victim === undefined) continue;
    const signal = Math.random() < 0.5 ? 'SIGKILL' : 'SIGTERM';
    kills.push({ signal, target: victim === ownerWorker ? 'pglite-owner' : 'worker' });
    victim.proc.kill(signal);
    await until(() => !victim.alive, 60_000);
    const index = workers.indexOf(victim);
    workers[index] = startWorker(victim.id);
  }
})();
await approveAndWait(
  runs.map((r) => r.runId),
  deadline,
);
await chaos.catch(() => undefined);

type Row = { task: string; status: string | undefined; why: string } & Awaited<
  ReturnType<typeof sideEffects>
>;
const rows: Row[] = [];
for (const r of runs) {
  const run = await app.store.runs.get(r.runId);
  rows.push({
    task: r.taskKey,
    status: run?.status,
    why: run?.status === 'succeeded' ? '' : JSON.stringify(run?.error),
    ...(await sideEffects(r.runId, r.taskKey)),
  });
}
const duplicates = (key: 'branches' | 'commits' | 'prs' | 'comments' | 'pages' | 'messages') =>
  rows.reduce((sum, row) => sum + Math.max(0, row[key] - baseline[key]), 0);
const statuses = Object.fromEntries(
  TERMINAL_RUN_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length]),
);
console.table(rows);
console.log(
  JSON.stringify(
    {
      backend: values.backend,
      runs: RUNS,
      workers: WORKERS,
      kills: {
        total: kills.length,
        sigkill: kills.filter((k) => k.signal === 'SIGKILL').length,
        sigterm: kills.filter((k) => k.signal === 'SIGTERM').length,
        pglite_owner: kills.filter((k) => k.target === 'pglite-owner').length,
      },
      ended: statuses,
      duplicates: {
        branches: duplicates('branches'),
        commits: duplicates('commits'),
        pull_requests: duplicates('prs'),
        comments: duplicates('comments'),
        pages: duplicates('pages'),
        messages: duplicates('messages'),
        cost_entries_recorded_twice: rows.reduce((s, r) => s + r.model_calls - r.cost_keys, 0),
      },
      model_calls: {
        clean_run: baseline.model_calls,
        re_asked_turns: rows.reduce(
          (s, r) => s + Math.max(0, r.model_calls - baseline.model_calls),
          0,
        ),
      },
      logs: scratch,
    },
    null,
    2,
  ),
);
for (const w of workers) if (w.alive) w.proc.kill('SIGTERM');
await until(() => workers.every((w) => !w.alive), 60_000).catch(() => undefined);
await app.stop();
process.exit(0);
