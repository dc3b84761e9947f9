import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpPlugins } from '../../src/app/plugins.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { RegistryActionRunner } from '../../src/plugins/registry-action-runner.js';
import { Guards } from '../../src/resilience/guards.js';
import { credentialsContext, sealCredentials } from '../../src/security/credentials.js';
import { Keyring } from '../../src/security/keyring.js';
import { openTestDatabase, type TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { JiraServer } from '../vendors/jira/jira-server.js';

// #16: one breaker per service let one channel's failing Jira pause Jira for every channel.
// Here the global Jira and a channel's own Jira are two sites, each with its own guard.
const EMAIL = 'aidev-bot@example.com';
const API_TOKEN = 'ATATT3xFfGF0-per-site-token-4a1c';
const { logger, lines } = capturingLogger({ level: 'warn' });
let database: TestDatabase;
let registry: PluginRegistry;
let guards: Guards;
let main: JiraServer;
let other: JiraServer;

beforeAll(async () => {
  [main, other] = await Promise.all([
    JiraServer.start({ email: EMAIL, apiToken: API_TOKEN }),
    JiraServer.start({ email: EMAIL, apiToken: API_TOKEN }),
  ]);
  main.givenIssue({ key: 'MAIN-1', title: 'On the global Jira' });
  other.givenIssue({ key: 'OPS-1', title: 'On the channel’s own Jira' });

  database = await openTestDatabase('pglite');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-per-site-'));
  const keyring = await Keyring.open({
    dataDir,
    envKey: randomBytes(32).toString('hex'),
    logger,
  });
  await database.store.plugins.upsert({
    pluginType: 'task_management',
    pluginName: 'jira',
    scope: 'C-OPS',
    settings: { url: other.url, email: EMAIL },
    secrets: await sealCredentials(
      keyring,
      { api_token: API_TOKEN },
      credentialsContext('task_management', 'jira', 'C-OPS'),
    ),
  });
  const config = loadConfig({
    env: {
      AIDEV_DATA_DIR: dataDir,
      JIRA_URL: main.url,
      JIRA_EMAIL: EMAIL,
      JIRA_API_TOKEN: API_TOKEN,
    },
    cwd: dataDir,
  });
  // No retries and a breaker that opens after two failures and stays open for the test.
  guards = new Guards(logger, {
    jira: {
      ratePerSecond: 1000,
      burst: 1000,
      retries: 0,
      breakerVolume: 2,
      breakerResetMs: 60_000,
    },
  });
  ({ registry } = await setUpPlugins({ config, store: database.store, logger, guards, keyring }));
});
afterAll(async () => {
  await registry.disconnectAll();
  guards.shutdown();
  await Promise.all([main.close(), other.close(), database.dispose()]);
});

type Failure = Error & { code: string };

function getTask(channelId: string, key: string) {
  return new RegistryActionRunner(registry).run({
    run: { id: 'r1', workflow: 'w', channelId, userId: 'U1' },
    step: 'task',
    attempt: 1,
    idempotencyKey: `r1:${key}`,
    signal: new AbortController().signal,
    log: logger,
    plugin: 'task_management',
    action: 'get_task',
    input: { task_id: key },
  }) as Promise<{ task: { key: string } }>;
}

describe('guards per configured site', () => {
  it('pauses only the failing site: a channel with its own Jira is still called', async () => {
    main.http.inject({ status: 500, times: 1000 });
    // Failing calls until the global Jira's breaker opens (half of the calls failed).
    const codes: string[] = [];
    while (codes.at(-1) !== 'circuit_open' && codes.length < 10)
      codes.push(((await getTask('C-DEV', 'MAIN-1').catch((e: unknown) => e)) as Failure).code);
    expect(codes.at(-1)).toBe('circuit_open');
    expect(main.http.count('getIssue')).toBe(codes.length - 1);

    other.http.resetTraffic();
    expect((await getTask('C-OPS', 'OPS-1')).task.key).toBe('OPS-1');
    expect(other.http.count('getIssue')).toBe(1);
  });

  it('names the site in the breaker’s message and log, never a credential', async () => {
    const failure = (await getTask('C-DEV', 'MAIN-1').catch((error: unknown) => error)) as Error;
    const host = new URL(main.url).host;
    expect(failure.message).toContain(`jira at ${host} is failing`);
    expect(lines.some((l) => l.includes('too many failures') && l.includes(host))).toBe(true);
    const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
    for (const secret of [API_TOKEN, basic])
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
  });
});
