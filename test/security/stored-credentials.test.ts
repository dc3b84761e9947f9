import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CliIo, ExitCode } from '../../src/cli/cli-io.js';
import { registerKeys } from '../../src/cli/commands/keys.js';
import { KEY_FILE } from '../../src/security/keyring.js';
import { describeEachBackend } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import {
  startApi,
  type ApiHarness,
  type ProblemJson as Problem,
} from '../http/support/api-harness.js';
import { GitHubServer } from '../vendors/github/github-server.js';
import { tableDump } from './support/table-dump.js';

const GITHUB_TOKEN = 'ghp_storedChannelToken0123456789abcdefXYZ';

interface ConfigView {
  scope: string;
  settings: Record<string, unknown>;
  secrets_set: string[];
  health?: { ok: boolean; detail: string };
}
let github: GitHubServer;
let api: ApiHarness;
const logLines: string[] = [];
const apiTokens: string[] = [];

async function restart(): Promise<void> {
  logLines.push(...api.logLines);
  await api.stop();
  api = await startApi({ database: api.database, dataDir: api.dataDir });
  apiTokens.push(...Object.values(api.tokens));
}

/** `aidev keys …` in this process, against the suite's database and data directory. */
async function keysCommand(...args: string[]): Promise<{ code: ExitCode; stdout: string }> {
  let stdout = '';
  let code: ExitCode = 0;
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stdout += text) },
    env: { ...api.database.env, AIDEV_DATA_DIR: api.dataDir },
    cwd: REPO_ROOT,
    shutdownRequested: new Promise(() => undefined),
  };
  const program = new Command('aidev').exitOverride();
  registerKeys(program, io, (c) => (code = c));
  await program.parseAsync(['keys', ...args], { from: 'user' });
  return { code, stdout };
}

const configure = (channel: string, body: unknown) =>
  api.call<ConfigView & Problem>(
    'PUT',
    `/plugins/version_control/github/config?channel=${channel}`,
    { body },
  );

describeEachBackend('plugin credentials stored through the API', (database) => {
  beforeAll(async () => {
    github = await GitHubServer.start({ token: GITHUB_TOKEN });
    api = await startApi({ database: database() });
    apiTokens.push(...Object.values(api.tokens));
  });
  afterAll(async () => {
    await api.stop();
    await github.close();
  });

  it('stores a channel’s token encrypted, never shows it, and puts the plugin to work at once', async () => {
    const saved = await configure('C-SEC', {
      settings: { api_url: github.url, write_spacing_ms: 0, notification_spacing_ms: 0 },
      secrets: { token: GITHUB_TOKEN },
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({
      scope: 'C-SEC',
      secrets_set: ['token'],
      health: { ok: true },
    });
    expect(saved.body.health?.detail).toContain('signed in');
    const read = await api.call<ConfigView>(
      'GET',
      '/plugins/version_control/github/config?channel=C-SEC',
      {
        token: api.tokens.viewer,
      },
    );
    expect(read.body.secrets_set).toEqual(['token']);
    expect(JSON.stringify([saved.body, read.body])).not.toContain(GITHUB_TOKEN);
    const plugins = await api.call<{
      items: { name: string; scope: string; healthy: boolean }[];
    }>('GET', '/plugins');
    expect(plugins.body.items).toContainEqual(
      expect.objectContaining({ name: 'github', scope: 'C-SEC', healthy: true }),
    );
    const stored = await api.app.store.plugins.get('version_control', 'github', 'C-SEC');
    expect(stored?.secrets?.ciphertext).toMatch(/^v1\./);
    expect(stored?.settings).not.toHaveProperty('token');
  });

  it('generates the embedded key file once, readable by its owner only, and says so once', async () => {
    const file = path.join(api.dataDir, KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await configure('C-SEC2', {
      settings: { api_url: github.url },
      secrets: { token: GITHUB_TOKEN },
    });
    const told = api.logLines.filter((line) => line.includes('generated an encryption key'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(
      database().backend === 'postgresql'
        ? 'every aidev process sharing this database needs the same key'
        : 'back it up, or set AIDEV_ENCRYPTION_KEY',
    );
  });

  it('refuses credentials outside `secrets`, unknown ones and bad settings, without echoing values', async () => {
    const refused = await configure('C-BAD', {
      settings: { token: GITHUB_TOKEN, api_url: 'not a url' },
      secrets: { password: 'hunter2hunter2' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors?.map((e) => e.path)).toEqual(['settings.token', 'secrets.password']);
    const invalid = await configure('C-BAD', { settings: { api_url: 'not a url' } });
    // A field's own problems first, then the missing credential (a token, or a GitHub App).
    expect(invalid.body.errors?.map((e) => e.path)).toEqual(['settings.api_url', 'secrets.token']);
    const global = await api.call<Problem>('PUT', '/plugins/version_control/github/config', {
      body: { settings: {} },
    });
    expect(global.body.errors).toEqual([expect.objectContaining({ path: 'channel', in: 'query' })]);
    expect(JSON.stringify([refused.body, invalid.body])).not.toContain(GITHUB_TOKEN);
  });

  it('opens the stored credentials again when aidev restarts', async () => {
    await restart();
    const plugins = await api.call<{
      items: { name: string; scope: string; healthy: boolean; detail: string }[];
    }>('GET', '/plugins');
    expect(plugins.body.items.find((p) => p.scope === 'C-SEC')).toMatchObject({
      name: 'github',
      healthy: true,
    });
  });

  it('rotates the key: every credential sealed again, the old key kept readable', async () => {
    const before = await api.app.store.plugins.get('version_control', 'github', 'C-SEC');
    const rotated = await keysCommand('rotate', '--json');
    expect(rotated.code).toBe(0);
    const outcome = JSON.parse(rotated.stdout) as {
      keyId: string;
      previousKeyId: string;
      resealed: number;
    };
    expect(outcome).toMatchObject({ previousKeyId: before?.secrets?.keyId, resealed: 2 });
    const after = await api.app.store.plugins.get('version_control', 'github', 'C-SEC');
    expect(after?.secrets?.keyId).toBe(outcome.keyId);
    const file = JSON.parse(await readFile(path.join(api.dataDir, KEY_FILE), 'utf8')) as {
      active: string;
      keys: { id: string; retired_at?: string }[];
    };
    expect(file.active).toBe(outcome.keyId);
    expect(file.keys.find((k) => k.id === outcome.previousKeyId)?.retired_at).toBeDefined();
    const status = await keysCommand('status');
    expect(status.stdout).toContain(`Active key ${outcome.keyId}`);
    expect(status.stdout).toMatch(new RegExp(`${outcome.keyId}\\s+active\\s+seals 2`));
    await restart();
    const plugins = await api.call<{ items: { scope: string; healthy: boolean }[] }>(
      'GET',
      '/plugins',
    );
    expect(plugins.body.items.find((p) => p.scope === 'C-SEC')?.healthy).toBe(true);
  });

  it('leaves no credential, API token or key in plain text in any table or log line', async () => {
    const keys = (
      JSON.parse(await readFile(path.join(api.dataDir, KEY_FILE), 'utf8')) as {
        keys: { key: string }[];
      }
    ).keys.map((k) => k.key);
    const secrets = [GITHUB_TOKEN, 'hunter2hunter2', ...apiTokens, ...keys];
    const dump = await tableDump(api.database.db);
    expect(dump.rows).toBeGreaterThan(20);
    const lines = [...logLines, ...api.logLines];
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(dump.text.includes(secret), 'a table holds a secret').toBe(false);
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
    }
  });
});
