/**
 * Workflow validation under hostile input: `POST /api/v1/workflows/validate` with a viewer token,
 * for documents up to the API's 1 MiB body limit — 60,000 top-level keys (938 KB; this took
 * about two minutes when validation was quadratic), the largest documents the YAML limits let
 * through to the schema checks, and a shipped workflow for comparison. Meanwhile a worker
 * thread asks `/health` every 5 ms: its latency is how long the event loop was blocked.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { withBenchApi } from './support/api-server.js';
import { fmt, table } from './support/measure.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPEAT = Number(process.env.BENCH_ROUNDS ?? 3);

/** A valid one-step workflow followed by `count` top-level keys of its own. */
function manyTopLevelKeys(count: number): string {
  const lines = ['name: many', 'steps:', '  - { name: a, set: { x: 1 } }'];
  for (let i = 0; i < count; i++) lines.push(`key${i}: ${i}`);
  return `${lines.join('\n')}\n`;
}

/** `steps` steps, each with `keys` unknown keys: every key is a problem for the schema checks. */
function manyStepKeys(steps: number, keys: number): string {
  const lines = ['name: many', 'steps:'];
  for (let s = 0; s < steps; s++) {
    lines.push(`  - name: s${s}`, '    set: { x: 1 }');
    for (let i = 0; i < keys; i++) lines.push(`    k${i}: 1`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Asks /health from another thread, so that a blocked server loop shows as latency. `take()`
 * returns the latencies measured since the last call, once one more answer has come.
 */
async function healthProbe(url: string): Promise<{
  take: () => Promise<number[]>;
  stop: () => Promise<void>;
}> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let samples = [];
     let want = false;
     parentPort.on('message', () => { want = true; });
     (async () => {
       for (;;) {
         const start = performance.now();
         await fetch(workerData.url).then((r) => r.arrayBuffer());
         samples.push(performance.now() - start);
         if (want) { parentPort.postMessage(samples); samples = []; want = false; }
         await new Promise((resolve) => setTimeout(resolve, 5));
       }
     })();`,
    { eval: true, workerData: { url } },
  );
  const take = () =>
    new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage('take');
    });
  await take(); // the thread is up and its connection open
  return { take, stop: () => worker.terminate().then(() => undefined) };
}

export async function run(): Promise<void> {
  await withBenchApi('validate', 'viewer', async ({ origin, token }) => {
    const base = origin;
    const documents: [string, string][] = [
      [
        'workflows/implement-task.yaml',
        await readFile(path.join(ROOT, 'workflows/implement-task.yaml'), 'utf8'),
      ],
      ['60,000 top-level keys', manyTopLevelKeys(60_000)],
      ['1,000 top-level keys', manyTopLevelKeys(997)],
      ['9 steps × 900 unknown keys', manyStepKeys(9, 900)],
    ];
    const rows: string[][] = [];
    const probe = await healthProbe(`${base}/health`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const idle = (await probe.take()).sort((a, b) => a - b);
    for (const [name, yaml] of documents) {
      const validate = async () => {
        const response = await fetch(`${base}/api/v1/workflows/validate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
          body: yaml,
        });
        return (await response.json()) as { valid: boolean; problems: { message: string }[] };
      };
      await validate(); // warm-up
      await probe.take();
      const times: number[] = [];
      let answer = '';
      for (let i = 0; i < REPEAT; i++) {
        const start = performance.now();
        const body = await validate();
        times.push(performance.now() - start);
        answer = body.valid
          ? 'valid'
          : `${body.problems.length} problem(s): ${(body.problems[0]?.message ?? '').slice(0, 60)}`;
      }
      const health = (await probe.take()).sort((a, b) => a - b);
      times.sort((a, b) => a - b);
      rows.push([
        name,
        `${(Buffer.byteLength(yaml) / 1024).toFixed(0)} KiB`,
        fmt(times[Math.floor(times.length / 2)] ?? Number.NaN),
        fmt(times.at(-1) ?? Number.NaN),
        fmt(health[Math.floor(health.length / 2)] ?? Number.NaN),
        fmt(health.at(-1) ?? Number.NaN),
        answer,
      ]);
    }
    await probe.stop();
    console.log(
      `\nPOST /api/v1/workflows/validate (viewer token), ${REPEAT} times each; /health asked every 5 ms meanwhile (idle: p50 ${fmt(idle[Math.floor(idle.length / 2)] ?? Number.NaN)} ms)\n`,
    );
    console.log(
      table(
        ['document', 'size', 'validate p50 ms', 'max ms', '/health p50 ms', 'max ms', 'answer'],
        rows,
      ),
    );
  });
}
