/**
 * Slack's 3-second ack under a burst: 200 concurrent signed `/aidev implement` commands against
 * aidev's HTTP server (each run durably created before the ack) and, in the same run, against a
 * bare Bolt app that only acks. Reports p50/p99 time to ack for both, the ratio, and that every
 * command was recorded exactly once. Goal: aidev's p99 ≤ 1.2× the bare app's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { App as Bolt } from '@slack/bolt';
import { createSlackApp } from '../src/slack/slack-app.js';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import { createHttpServer } from '../src/http/create-server.js';
import { silentLogger } from '../src/log/create-logger.js';
import { SlackRequests } from '../test/vendors/slack/signed-requests.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { benchPostgres } from './support/databases.js';
import { table } from './support/measure.js';

const BURST = 200;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOKEN = 'xoxb-1234567890123-1234567890123-aidevBenchBotToken0';
const SECRET = '8f742231b10e8888abcd99benchzz85a5';
const CHANNEL = 'C0AIDEV0001';
const USER = 'U0ALICE0001';

async function burst(requests: SlackRequests, prefix: string): Promise<number[]> {
  const signed = Array.from({ length: BURST }, (_, i) =>
    requests.slashCommand({
      user: USER,
      channel: CHANNEL,
      text: `implement ${prefix}-${i + 1} repo=acme/shop`,
    }),
  );
  return Promise.all(
    signed.map(async (request) => {
      const started = performance.now();
      const response = await requests.send(request);
      await response.text();
      if (response.status !== 200) throw new Error(`ack failed with ${response.status}`);
      return performance.now() - started;
    }),
  );
}

async function slackInAnotherProcess(): Promise<{ apiUrl: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'support', 'slack-server-process.ts'),
      TOKEN,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  return { apiUrl: (JSON.parse(line) as { apiUrl: string }).apiUrl, process: child };
}

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};

export async function run(): Promise<void> {
  const database = await benchPostgres();
  if (database === null) return;
  const slack = await slackInAnotherProcess();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-bench-slack-'));
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: scratch,
      DATABASE_URL: database.url ?? '',
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    cwd: path.resolve(import.meta.dirname, '..'),
  });
  const app = await createApp({
    config,
    logger: silentLogger(),
    cwd: path.resolve(import.meta.dirname, '..'),
  });
  const slackApp = createSlackApp({ app, owner: 'bench' });
  if (slackApp === undefined) throw new Error('Slack must be configured');
  const server = await createHttpServer({ app, routes: [slackApp.routes] });
  await slackApp.start();
  await server.listen({ host: '127.0.0.1', port: 0 });
  const bare = new Bolt({
    token: TOKEN,
    signingSecret: SECRET,
    clientOptions: { slackApiUrl: slack.apiUrl },
  });
  bare.command('/aidev', async ({ ack }) => ack());
  const bareServer = (await bare.start({ port: 0, host: '127.0.0.1' })) as unknown as {
    address(): AddressInfo;
  };
  try {
    const aidev = await SlackRequests.create({
      url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/slack/events`,
      signingSecret: SECRET,
    });
    const plain = await SlackRequests.create({
      url: `http://127.0.0.1:${bareServer.address().port}/slack/events`,
      signingSecret: SECRET,
    });
    // Each burst starts with aidev idle: the work an earlier burst left runs between them.
    const drained = async () => {
      for (;;) {
        const { rows } = await app.store.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM slack_commands WHERE handled_at IS NULL',
        );
        if ((rows[0]?.n ?? 0) === 0) break;
        await sleep(100);
      }
      await slackApp.notifier.tick();
    };
    // Alternating rounds, each starting with aidev idle (the work a burst leaves behind runs
    // between rounds); the median round is reported, since this machine's load varies.
    await burst(plain, 'WARM');
    await burst(aidev, 'WARM');
    await drained();
    const rounds: { bare: number[]; aidev: number[] }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bare = await burst(plain, `BARE${round}`);
      const mine = await burst(aidev, round === 0 ? 'BENCH' : `MORE${round}`);
      await drained();
      rounds.push({ bare, aidev: mine });
    }
    const middle = (pick: (r: { bare: number[]; aidev: number[] }) => number[]) =>
      [...rounds].sort((a, b) => quantile(pick(a), 0.99) - quantile(pick(b), 0.99))[
        Math.floor(ROUNDS / 2)
      ];
    const bareTimes = middle((r) => r.bare)?.bare ?? [];
    const aidevTimes = middle((r) => r.aidev)?.aidev ?? [];
    const { rows: journal } = await app.store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM slack_commands WHERE text LIKE 'implement BENCH-%'",
    );
    const { rows: recorded } = await app.store.db.query<{ task_key: string }>(
      "SELECT task_key FROM runs WHERE task_key LIKE 'BENCH-%'",
    );
    const distinct = new Set(recorded.map((r) => r.task_key)).size;
    const row = (name: string, samples: number[]) => [
      name,
      quantile(samples, 0.5).toFixed(1),
      quantile(samples, 0.99).toFixed(1),
      Math.max(...samples).toFixed(1),
    ];
    console.log(
      `\nSlack ack under bursts of ${BURST} concurrent signed /aidev implement commands (PostgreSQL, median of ${ROUNDS} rounds)\n`,
    );
    console.log(
      table(
        ['app', 'p50 ms', 'p99 ms', 'max ms'],
        [
          row('bare Bolt (ack only)', bareTimes),
          row('aidev serve (command recorded before the ack)', aidevTimes),
        ],
      ),
    );
    console.log(
      `\np99 ratio aidev / bare: ${(quantile(aidevTimes, 0.99) / quantile(bareTimes, 0.99)).toFixed(2)} (goal ≤ 1.2)`,
    );
    console.log(
      `commands recorded before their ack: ${journal[0]?.n ?? 0} of ${BURST}; runs started from them: ${recorded.length} for ${distinct} distinct tasks (each exactly once: ${recorded.length === BURST && distinct === BURST ? 'yes' : 'NO'})`,
    );
  } finally {
    await bare.stop();
    await slackApp.stop();
    await server.close();
    await app.stop();
    slack.process.kill('SIGTERM');
    await database.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}
