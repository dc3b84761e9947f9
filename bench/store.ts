/**
 * Store benchmark: inserts 10,000 run steps and 10,000 cost entries one statement at a time
 * (the way the engine and the cost tracker write), then times the monthly cost aggregations
 * behind /aidev budget and the costs API — on the embedded PGlite and on PostgreSQL.
 */
import { createStore } from '../src/store/store.js';
import { benchPglite, benchPostgres, type BenchDatabase } from './support/databases.js';
import { fmt, repeat, table, timed } from './support/measure.js';

const RUNS = 100;
const STEPS_PER_RUN = 100;
const COSTS = 10_000;
const MONTHS = ['2026-09', '2026-10', '2026-11'];

async function benchmark(target: BenchDatabase): Promise<string[][]> {
  const store = createStore(target.db);
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { run } = await store.runs.create({
      workflowName: 'implement-task',
      workflowVersion: '1',
      trigger: 'slack',
      channelId: `C${i % 20}`,
    });
    runIds.push(run.id);
  }

  const steps = await timed(async () => {
    for (const runId of runIds) {
      for (let s = 0; s < STEPS_PER_RUN; s++) {
        await store.steps.ensure({
          runId,
          stepName: `step_${s}`,
          stepIndex: s,
          kind: 'plugin_action',
        });
      }
    }
  });

  const costs = await timed(async () => {
    for (let i = 0; i < COSTS; i++) {
      const month = MONTHS[i % MONTHS.length] ?? '2026-11';
      const runId = runIds[i % RUNS];
      if (runId === undefined) throw new Error('no run');
      await store.costs.record({
        runId,
        channelId: `C${i % 20}`,
        userId: `U${i % 50}`,
        provider: 'anthropic',
        model:
          ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1', 'claude-sonnet-4'][i % 4] ??
          'x',
        inputTokens: 1_000 + (i % 500),
        outputTokens: 200 + (i % 50),
        cacheWriteTokens: i % 7 === 0 ? 2_000 : 0,
        cacheReadTokens: i % 3 === 0 ? 5_000 : 0,
        usd: `0.${String(1_000 + (i % 9_000)).padStart(6, '0')}`,
        createdAt: new Date(`${month}-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`),
      });
    }
  });

  const month = '2026-11';
  const queries: [string, () => Promise<unknown>][] = [
    ['month report by channel', () => store.costs.report({ month, groupBy: 'channel' })],
    ['month report by user', () => store.costs.report({ month, groupBy: 'user' })],
    [
      'month report by model, one channel',
      () => store.costs.report({ month, groupBy: 'model', channelId: 'C3' }),
    ],
    [
      'month report by run, one channel',
      () => store.costs.report({ month, groupBy: 'run', channelId: 'C3' }),
    ],
    ['month spend of one channel', () => store.costs.spend(month, { channelId: 'C3' })],
    ['month spend of one user', () => store.costs.spend(month, { userId: 'U7' })],
  ];
  const rows: string[][] = [
    [
      target.name,
      `insert ${RUNS * STEPS_PER_RUN} run_steps`,
      fmt(steps.ms),
      `${fmt(steps.ms / (RUNS * STEPS_PER_RUN))} ms/row`,
      `${Math.round((RUNS * STEPS_PER_RUN) / (steps.ms / 1000))} rows/s`,
    ],
    [
      target.name,
      `insert ${COSTS} cost_entries`,
      fmt(costs.ms),
      `${fmt(costs.ms / COSTS)} ms/row`,
      `${Math.round(COSTS / (costs.ms / 1000))} rows/s`,
    ],
  ];
  for (const [label, query] of queries) {
    const s = await repeat(20, query);
    rows.push([target.name, label, fmt(s.median), `p95 ${fmt(s.p95)} ms`, '']);
  }
  return rows;
}

export async function run(): Promise<void> {
  console.log(
    `\n## bench/store.ts — ${RUNS * STEPS_PER_RUN} run steps, ${COSTS} cost entries over ${MONTHS.length} months\n`,
  );
  const rows: string[][] = [];
  for (const open of [benchPglite, benchPostgres]) {
    const target = await open();
    if (target === null) continue;
    try {
      rows.push(...(await benchmark(target)));
    } finally {
      await target.dispose();
    }
  }
  console.log(
    table(['database', 'operation', 'total / median (ms)', 'per row / p95', 'throughput'], rows),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
