/**
 * Records transcripts/demo.json, the conversation the demo replays when ANTHROPIC_API_KEY is
 * not set: the demo runs for real (sample repository, local tracker, the agents, the
 * sandbox, the Anthropic adapter over HTTP) — with `--review`'s round of fixes — against the
 * local Anthropic server of the tests,
 * whose answers are scripted below — what a model would answer for this task. Run it again
 * whenever a prompt, a tool or the sample changes: `npx tsx scripts/record-demo-transcript.ts`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAnthropicProvider } from '../src/adapters/anthropic/anthropic-provider.js';
import {
  RecordingProvider,
  TranscriptRecorder,
} from '../src/adapters/transcript/recording-provider.js';
import type { Transcript } from '../src/adapters/transcript/transcript-format.js';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import { runDemoFlow, untilStatus } from '../src/demo/demo-flow.js';
import { createLogger } from '../src/log/create-logger.js';
import { Guards } from '../src/resilience/guards.js';
import { startAnthropicServer, TEST_API_KEY } from '../test/vendors/anthropic/anthropic-server.js';
import { startDemoReview } from '../src/demo/demo-review.js';
import { DEMO_SCRIPT, reviewRoundScript } from './demo-script.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = path.join(ROOT, 'transcripts', 'demo.json');

const server = await startAnthropicServer({ apiKey: TEST_API_KEY });
// The demo, then `aidev demo --review`'s round: the reviewer's two comments are F1 and F2.
server.reply(...DEMO_SCRIPT, ...reviewRoundScript({ code: 'F1', test: 'F2' }));
const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-record-'));
const recording = path.join(scratch, 'demo.json');
const logger = createLogger({ level: 'warn', format: 'pretty', secrets: [TEST_API_KEY] });
const config = loadConfig({
  env: { AIDEV_DATA_DIR: path.join(scratch, 'data'), LOG_LEVEL: 'warn' },
  cwd: ROOT,
});
const claude = createAnthropicProvider({
  apiKey: TEST_API_KEY,
  baseUrl: server.url,
  guard: new Guards(logger).for('anthropic', server.url),
  logger,
});
const app = await createApp({
  config,
  logger,
  cwd: ROOT,
  provider: new RecordingProvider(claude, new TranscriptRecorder(recording)),
});
try {
  await app.startWorker();
  const { run, taskKey } = await runDemoFlow(app, { approver: 'demo' });
  if (run.status !== 'succeeded')
    throw new Error(`the demo run ${run.status}: ${JSON.stringify(run.error)}`);
  const round = await untilStatus(
    app,
    await startDemoReview(app, run.id),
    ['succeeded', 'failed', 'cancelled'],
    Date.now() + 5 * 60_000,
  );
  if (round.status !== 'succeeded')
    throw new Error(`the review round ${round.status}: ${JSON.stringify(round.error)}`);
  if (server.violations.length > 0) throw new Error(server.violations.join('\n'));
  const transcript = JSON.parse(await readFile(recording, 'utf8')) as Transcript;
  const loosened = {
    ...transcript,
    description:
      'The demo: plan and implement a sample-shop task (transcripts/README.md explains the format).',
    source: `scripted answers (scripts/demo-script.ts) recorded through the Anthropic adapter on ${new Date().toISOString().slice(0, 10)}; no model was called`,
    conversations: loosen(transcript.conversations, taskKey),
  };
  await writeFile(OUTPUT, `${JSON.stringify(loosened, null, 2)}\n`);
  console.log(`wrote ${path.relative(ROOT, OUTPUT)} (${taskKey}, run ${run.id})`);
} finally {
  await app.stop();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}

/**
 * What changes from one demo run to the next becomes a pattern: the task key (DEMO-1, DEMO-2,
 * …) and the test runner's output (durations). Everything else must match to the letter.
 */
function loosen<T>(value: T, taskKey: string): T {
  return walk(value, taskKey) as T;
}

function walk(value: unknown, taskKey: string, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => walk(v, taskKey));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (record.type === 'tool_result' && typeof record.content === 'string')
      return {
        ...record,
        content: testOutputPattern(record.content) ?? walk(record.content, taskKey),
      };
    return Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, k === 'response' ? v : walk(v, taskKey, k)]),
    );
  }
  if (typeof value === 'string' && value.includes(taskKey) && key !== 'id')
    return {
      $regex: `^${escape(value).split(escape(taskKey)).join('DEMO-\\d+')}$`,
      text: value,
      vary: 'DEMO-\\d+',
    };
  return value;
}

/** A test run's output: its first line (command and verdict) must match, the rest may vary. */
function testOutputPattern(content: string): { $regex: string; text: string } | undefined {
  const first = content.split('\n')[0] ?? '';
  if (!/: (passed|failed|stopped)/.test(first)) return undefined;
  return { $regex: `^${escape(first)}\\n`, text: first };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
