/**
 * A signed GitHub webhook burst against a real `aidev serve` (issue 18's must-show): 200
 * deliveries at a concurrency of 20 — 180 distinct, 20 of them sent again as GitHub's
 * redeliveries — about 10 pull requests aidev opened (seeded in its PostgreSQL database and on
 * the local GitHub in this process). Reports how fast each delivery is answered (p50/p95/p99/
 * max), how long until every one is acted on, what each came to, the rounds started and the
 * feedback queued; then checks that each delivery was acted on once, each piece of feedback
 * queued once, and that no pull request had more than max_fix_rounds rounds or two at a time.
 * Exits non-zero if an invariant fails. No ANTHROPIC_API_KEY: rounds replay the recorded
 * transcript and may fail fast — what is measured is the answering and acting once.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStore } from '../src/store/store.js';
import type { Database } from '../src/store/database.js';
import { deliver } from '../test/support/github-deliveries.js';
import { ensureBuilt } from '../test/support/ensure-built.js';
import type { AidevProcess } from '../test/support/serve-process.js';
import { GitHubServer } from '../test/vendors/github/github-server.js';
import { benchPostgres } from './support/databases.js';
import { fmt, quantile, table } from './support/measure.js';
import {
  loopsAtRest,
  outcomeLabel,
  readBack,
  violations,
  type Answer,
} from './support/webhook-burst-checks.js';
import { planBurst, type BurstPlan } from './support/webhook-burst-plan.js';
import { cpuMsOf, seedPullRequests, startServe } from './support/webhook-burst-setup.js';

const PULLS = 10;
const CLOSED = 2;
const REDELIVERIES = 20;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const MAX_ROUNDS = 3;
/**
 * aidev's settings as it runs by default, but for what these name: jobs.concurrency (delivery
 * jobs share it with the rounds' steps) and GitHub's rate limit (resilience.github.rate, 5 calls
 * a second by default: each comment's author is looked up, so it paces acting on a burst).
 */
const OVERRIDES = [
  process.env.BENCH_JOBS_CONCURRENCY === undefined
    ? ''
    : `jobs:\n  concurrency: ${process.env.BENCH_JOBS_CONCURRENCY}`,
  process.env.BENCH_GITHUB_RATE === undefined
    ? ''
    : `resilience:\n  github:\n    rate: ${process.env.BENCH_GITHUB_RATE}`,
].filter((o) => o !== '');
const SETTINGS = [`pull_requests:\n  max_fix_rounds: ${MAX_ROUNDS}`, ...OVERRIDES].join('\n');
/** How long every delivery may take to be acted on, and the rounds to come to rest. */
const HANDLED_WITHIN_MS = Number(process.env.BENCH_HANDLED_WITHIN_MS ?? 120_000);
const AT_REST_WITHIN_MS = Number(process.env.BENCH_AT_REST_WITHIN_MS ?? 300_000);
const TOKEN = 'ghp_webhookBurstBenchToken0123456789';
const SECRET = 'webhook secret of the webhook burst benchmark';

/** Sends every delivery of the plan, `CONCURRENCY` at a time, and keeps each answer. */
async function burst(plan: BurstPlan, url: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const sender = async () => {
    for (let i = next++; i < plan.sends.length; i = next++) {
      const send = plan.sends[i];
      if (send === undefined) break;
      const { delivery } = send;
      const started = performance.now();
      const answer = await deliver(
        url,
        SECRET,
        delivery.event,
        delivery.payload,
        delivery.id,
      ).catch(() => ({ status: 0, ms: performance.now() - started }));
      answers.push({ delivery, resend: send.resend, status: answer.status, ms: answer.ms });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  return answers;
}

/** Polls until `probe` is true; false if `withinMs` runs out first. */
async function until(probe: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(50);
  }
  return probe();
}

async function allHandled(db: Database, ids: readonly string[]): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_deliveries
     WHERE source = 'github' AND delivery_id = ANY($1::text[]) AND handled_at IS NOT NULL`,
    [ids],
  );
  return rows[0]?.n === ids.length;
}

export async function run(): Promise<void> {
  ensureBuilt();
  const database = await benchPostgres();
  if (database === null) return;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-bench-webhooks-'));
  const github = await GitHubServer.start({ token: TOKEN });
  let serve: AidevProcess | undefined;
  try {
    const store = createStore(database.db);
    const commits = await seedPullRequests(github, store, PULLS);
    const settings = path.join(scratch, 'aidev.config.yaml');
    await writeFile(settings, `${SETTINGS}\n`);
    serve = await startServe({
      DATABASE_URL: database.url ?? '',
      AIDEV_DATA_DIR: path.join(scratch, 'data'),
      AIDEV_CONFIG: settings,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: github.url,
      GITHUB_WEBHOOK_SECRET: SECRET,
    });
    const plan = planBurst({ pulls: PULLS, closed: CLOSED, redeliveries: REDELIVERIES, commits });
    const ids = plan.deliveries.map((d) => d.id);

    github.http.resetTraffic();
    // The pid aidev logs with each line: its CPU time is what acting on the burst cost it.
    const pid = serve.lines.find((l) => typeof l.pid === 'number')?.pid as number;
    const cpuBefore = { serve: await cpuMsOf(pid), bench: process.cpuUsage() };
    const started = performance.now();
    const answers = await burst(plan, serve.url);
    const answeredMs = performance.now() - started;
    const handled = await until(() => allHandled(database.db, ids), HANDLED_WITHIN_MS);
    const handledMs = performance.now() - started;
    const serveCpuMs = ((await cpuMsOf(pid)) ?? Number.NaN) - (cpuBefore.serve ?? Number.NaN);
    const benchCpu = process.cpuUsage(cpuBefore.bench);
    const cpu = { serveMs: serveCpuMs, benchMs: (benchCpu.user + benchCpu.system) / 1000 };
    const atRest = await until(() => loopsAtRest(database.db, MAX_ROUNDS), AT_REST_WITHIN_MS);
    const atRestMs = performance.now() - started;

    const read = await readBack(database.db, ids);
    // To look into a finding: aidev's own log of the burst, one JSON line each.
    if (process.env.BENCH_SERVE_LOG !== undefined)
      await writeFile(
        process.env.BENCH_SERVE_LOG,
        serve.lines.map((l) => JSON.stringify(l)).join('\n'),
      );
    const actedOn = new Map<string, number>();
    for (const line of serve.lines)
      if (line.msg === 'acted on a GitHub delivery' && typeof line.delivery === 'string')
        actedOn.set(line.delivery, (actedOn.get(line.delivery) ?? 0) + 1);
    const broken = violations({
      answers,
      planned: plan.deliveries,
      read,
      actedOn,
      maxRounds: MAX_ROUNDS,
    });
    broken.push({
      invariant: "no request aidev made breaks GitHub's API description",
      count: github.http.violations.length,
      examples: github.http.violations.slice(0, 3),
    });
    report({
      plan,
      answers,
      read,
      answeredMs,
      handled,
      handledMs,
      atRest,
      atRestMs,
      cpu,
      serve,
      github,
    });
    const failed = broken.filter((v) => v.count > 0);
    console.log(
      `\n${table(
        ['invariant', 'violations', 'first cases'],
        broken.map((v) => [v.invariant, String(v.count), v.examples.join('; ')]),
      )}`,
    );
    if (failed.length > 0) {
      console.log(`\nwebhook-burst: ${failed.length} invariant(s) broken (see above)`);
      process.exitCode = 1;
    }
  } finally {
    await serve?.stop();
    await github.close();
    await database.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A row of quantiles of `samples` (milliseconds). */
function spread(name: string, samples: readonly number[]): string[] {
  const q = (at: number) => fmt(quantile(samples, at));
  return [name, String(samples.length), q(0.5), q(0.95), q(0.99), fmt(Math.max(...samples))];
}

function report(r: {
  plan: BurstPlan;
  answers: readonly Answer[];
  read: Awaited<ReturnType<typeof readBack>>;
  answeredMs: number;
  handled: boolean;
  handledMs: number;
  atRest: boolean;
  atRestMs: number;
  /** CPU time from the first sending until every delivery was acted on (rounds included). */
  cpu: { serveMs: number; benchMs: number };
  serve: AidevProcess;
  github: GitHubServer;
}): void {
  const ms = (answers: readonly Answer[]) => answers.map((a) => a.ms);
  console.log(
    `\n## GitHub webhook burst against aidev serve: ${r.answers.length} signed deliveries (${r.plan.deliveries.length} distinct, ${r.answers.filter((a) => a.resend).length} redeliveries) at concurrency ${CONCURRENCY}, ${PULLS} pull requests, PostgreSQL${OVERRIDES.length === 0 ? '' : `; settings ${OVERRIDES.map((o) => o.replace(/\s+/g, ' ')).join(', ')}`}; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.availableParallelism()} cores\n`,
  );
  // Recorded → acted on as the database saw it (one clock).
  const acted = r.read.deliveries.flatMap((d) =>
    d.handled_at === null ? [] : [d.handled_at.getTime() - d.received_at.getTime()],
  );
  console.log(
    table(
      ['milliseconds', 'count', 'p50', 'p95', 'p99', 'max'],
      [
        spread('answer, all', ms(r.answers)),
        spread('answer, first sending', ms(r.answers.filter((a) => !a.resend))),
        spread('answer, redelivery', ms(r.answers.filter((a) => a.resend))),
        spread('recorded → acted on', acted),
      ],
    ),
  );
  const byId = new Map(r.read.deliveries.map((d) => [d.delivery_id, d]));
  const kinds = [...new Set(r.plan.deliveries.map((d) => d.kind))];
  console.log(
    `\n${table(
      ['delivery', 'what it came to'],
      kinds.map((kind) => [
        kind,
        countsOf(
          r.plan.deliveries
            .filter((d) => d.kind === kind)
            .map((d) => outcomeLabel(byId.get(d.id)?.outcome ?? null)),
        ),
      ]),
    )}`,
  );
  const rounds = r.read.rounds;
  const failed = rounds.find((x) => x.status === 'failed');
  const within = (ok: boolean, ms: number, limit: number) =>
    ok ? `after ${fmt(ms)} ms` : `NOT within ${limit} ms`;
  console.log(
    `\n${table(
      ['figure', 'value'],
      [
        ['HTTP statuses', countsOf(r.answers.map((a) => String(a.status))).replace(/^\d+: /, '')],
        ['whole burst answered after', `${fmt(r.answeredMs)} ms`],
        ['every distinct delivery acted on', within(r.handled, r.handledMs, HANDLED_WITHIN_MS)],
        [
          'CPU until all acted on: aidev serve / this process (senders, local GitHub)',
          `${fmt(r.cpu.serveMs)} ms (${fmt(r.cpu.serveMs / r.plan.deliveries.length)} per distinct delivery) / ${fmt(r.cpu.benchMs)} ms`,
        ],
        ['feedback queued (pr_feedback rows)', String(r.read.feedback.length)],
        [
          `rounds started on ${new Set(rounds.map((x) => x.pull_url)).size} pull requests`,
          countsOf(rounds.map((x) => x.status ?? 'not started')),
        ],
        ["a failed round's error", JSON.stringify(failed?.error ?? null).slice(0, 120)],
        [
          'loops at rest (no round running or due)',
          within(r.atRest, r.atRestMs, AT_REST_WITHIN_MS),
        ],
        ['GitHub REST requests', countsOf(r.github.http.requests.map((q) => q.operationId ?? '?'))],
        [
          "warnings/errors in aidev's log",
          countsOf(r.serve.lines.filter((l) => l.level >= 40).map((l) => l.msg.slice(0, 70))),
        ],
      ],
    )}`,
  );
}

/** `name n, name n, …`, most frequent first. */
function countsOf(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  if (names.length === 0) return '0';
  return `${names.length}: ${[...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ')}`;
}
