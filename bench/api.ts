/**
 * REST API throughput: autocannon with 50 connections against GET /api/v1/runs/{id} (a run with
 * 12 steps, 40 events and 6 model calls: five queries and a 20 kB answer) and POST /api/v1/runs
 * (a run and its job created, durably, per request), on PostgreSQL. The server serves only
 * (like `aidev serve --no-worker`), so that the numbers are the API's; each request is
 * authenticated with a token (one indexed lookup) and checked against its role. The per-token
 * rate limit is raised for the measurement: with one token it would otherwise be the limit.
 */
import autocannon from 'autocannon';
import type { App } from '../src/app/create-app.js';
import { withBenchApi } from './support/api-server.js';
import { table } from './support/measure.js';

const CONNECTIONS = 50;
const DURATION_S = 10;

/** A finished run as the API shows it: steps, the run log, model calls. */
async function seedRun(app: App): Promise<string> {
  const { run } = await app.store.runs.create({
    workflowName: 'implement-task',
    workflowVersion: '1.0.0',
    trigger: 'api',
    inputs: { task_key: 'BENCH-1', repository: 'acme/shop' },
    channelId: 'C-BENCH',
  });
  for (let i = 0; i < 12; i++) {
    const step = await app.store.steps.ensure({
      runId: run.id,
      stepName: `step_${i}`,
      stepIndex: i,
      kind: 'plugin_action',
    });
    await app.store.steps.start(step.id, { input: i }, 'bench', new Date());
    await app.store.steps.succeed(step.id, {
      result: `output of step ${i}`,
      url: `https://git.test/${i}`,
    });
  }
  for (let i = 0; i < 40; i++)
    await app.store.events.append({
      runId: run.id,
      stepName: `step_${i % 12}`,
      type: i % 2 === 0 ? 'step.started' : 'step.succeeded',
      message: `step_${i % 12} ${i % 2 === 0 ? 'started' : 'succeeded'} after some work on the repository`,
      data: { attempt: 1, duration_ms: 1234 },
    });
  for (let i = 0; i < 6; i++)
    await app.store.costs.record({
      runId: run.id,
      stepName: 'implement',
      provider: 'anthropic',
      model: 'claude-sonnet-5-5',
      inputTokens: 12_000,
      outputTokens: 800,
      cacheWriteTokens: 0,
      cacheReadTokens: 30_000,
      usd: '0.0570000000',
    });
  await app.store.runs.transition(run.id, 'succeeded');
  return run.id;
}

async function measure(options: autocannon.Options): Promise<string[]> {
  // In a worker thread: the load must not share the event loop of the server it measures.
  const result = await autocannon({
    connections: CONNECTIONS,
    duration: DURATION_S,
    workers: 1,
    ...options,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  return [
    `${options.method ?? 'GET'} ${new URL(options.url).pathname.replace(/[0-9a-f-]{36}/, '{id}')}`,
    result.requests.average.toFixed(0),
    String(result.latency.p50),
    String(result.latency.p99),
    String(result.requests.total),
    String(failed),
  ];
}

export async function run(): Promise<void> {
  await withBenchApi('api', 'operator', async ({ app, config, origin, token }) => {
    const base = `${origin}/api/v1`;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const runId = await seedRun(app);
    const rows = [
      await measure({ url: `${base}/runs/${runId}`, headers }),
      await measure({
        url: `${base}/runs`,
        method: 'POST',
        headers,
        body: JSON.stringify({
          workflow: 'implement-task',
          inputs: { task_key: 'BENCH-2', repository: 'acme/shop' },
        }),
      }),
    ];
    console.log(
      `\nREST API on PostgreSQL (${config.database.poolSize} pool connections), ${CONNECTIONS} connections for ${DURATION_S} s each\n`,
    );
    console.log(table(['request', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'failed'], rows));
  });
}
