import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { github } from '../../../src/adapters/github/github.js';
import { diffSince, protectWorkingCopy, workingCopyOf } from '../../../src/git/working-copy.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { GitHubServer } from '../../vendors/github/github-server.js';
import { callContext } from '../contracts/call-context.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';

const TOKEN = 'ghp_aidevTestToken0123456789abcdefABCDEF';
const APP_ID = 4242;
const SLUG = 'aidev-test';
const BOT_ID = 900001;
const INSTALLATION = 77;

/** An RSA key pair as GitHub makes them: PKCS#1 private key, the server keeps the public half. */
function rsaKeys() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}
const keys = rsaKeys();
const keyBody = (pem: string) => pem.split('\n')[5] ?? '';

const { logger, lines } = capturingLogger();
let server: GitHubServer;
let dataDir: string;

/** The clock of the plugin and of the server's tokens: the real one, moved on by `clockAhead`. */
let clockAhead = 0;
const clock = () => Date.now() + clockAhead;

function githubPlugin(settings: Record<string, unknown>): Plugin<'version_control'> {
  const guards = new Guards(logger, {
    github: { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20, retries: 1 },
  });
  const registry = new PluginRegistry({ logger, store: {} as Store, guards, dataDir, now: clock });
  registry.register(github);
  return registry.configure('version_control', 'github', {
    api_url: server.url,
    write_spacing_ms: 0,
    notification_spacing_ms: 0,
    ...settings,
  }) as Plugin<'version_control'>;
}
const appPlugin = (settings: Record<string, unknown> = {}) =>
  githubPlugin({ app_id: String(APP_ID), private_key: keys.privateKey, ...settings });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-github-app-test-'));
  server = await GitHubServer.start({
    token: TOKEN,
    app: {
      id: APP_ID,
      slug: SLUG,
      publicKey: keys.publicKey,
      botUserId: BOT_ID,
      installations: [{ id: INSTALLATION, account: 'acme' }],
    },
  });
});
beforeEach(() => {
  server.reset();
  server.createRepository('acme/shop', STARTING_FILES);
  const app = server.app;
  if (app === undefined) throw new Error('the server has no App');
  app.tokenLifetimeMs = 3_600_000;
  app.tokensCreated = 0;
  app.now = clock;
  clockAhead = 0;
});
afterEach(() => {
  expect(server.http.violations).toEqual([]);
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  // Neither the key nor an installation token reaches a log line.
  const tokens = [...(server.app?.issued.keys() ?? [])];
  expect(tokens.length).toBeGreaterThan(0);
  expect(lines.filter((l) => l.includes(keyBody(keys.privateKey)))).toEqual([]);
  expect(lines.filter((l) => tokens.some((t) => l.includes(t)))).toEqual([]);
});

const authorizationOf = (operationId: string) =>
  server.http.requests
    .filter((r) => r.operationId === operationId)
    .map((r) => String(r.headers.authorization ?? '').split(' ')[0]);

async function patchOn(plugin: Plugin<'version_control'>, branch: string, file: string) {
  const out = await plugin.actions.check_out(
    { repository: 'acme/shop', ref: branch, directory: path.join(dataDir, 'workspaces', file) },
    callContext(),
  );
  const copy = workingCopyOf(out.directory);
  await protectWorkingCopy(copy);
  await writeFile(path.join(out.directory, file), `${file}\n`);
  return { base: out.head, diff_base64: (await diffSince(copy, out.head)) ?? '' };
}

describe('github adapter as a GitHub App', () => {
  it('signs in with a JWT, acts on a repository with its installation token (REST, clone, push) and commits as the bot', async () => {
    const plugin = appPlugin();
    await plugin.connect();
    expect((await plugin.health()).detail).toBe(
      `signed in to ${server.url} as ${SLUG}[bot] (GitHub App ${APP_ID})`,
    );
    const info = await plugin.actions.get_repository_info(
      { repository: 'acme/shop' },
      callContext(),
    );
    expect(info.repository.default_branch).toBe('main');
    // The App's routes with its JWT, the repository's with the installation's token.
    expect(authorizationOf('apps/get-authenticated')).toEqual(['bearer', 'bearer']);
    expect(authorizationOf('apps/get-repo-installation')).toEqual(['bearer']);
    expect(authorizationOf('apps/create-installation-access-token')).toEqual(['bearer']);
    expect(authorizationOf('repos/get')).toEqual(['token']);

    await plugin.actions.create_branch(
      { repository: 'acme/shop', branch: 'feat/a' },
      callContext(),
    );
    const patch = await patchOn(plugin, 'feat/a', 'a.txt');
    await plugin.actions.commit_changes(
      { repository: 'acme/shop', branch: 'feat/a', message: 'a', patch },
      callContext('run-a:commit'),
    );
    const bot = { name: `${SLUG}[bot]`, email: `${BOT_ID}+${SLUG}[bot]@users.noreply.github.com` };
    const repo = server.repos.get('acme/shop');
    expect(repo?.commitSync('feat/a')).toMatchObject({ author: bot, committer: bot });
    expect(repo?.filesAt('feat/a')['a.txt']).toBe('a.txt\n');
    // git sent the installation token at once: no 401 challenge.
    expect(server.gitRequests.every((r) => r.status === 200)).toBe(true);
    expect(server.countGit('git-receive-pack')).toBe(2);

    // A change set goes through the REST API, authored by the bot as well.
    await plugin.actions.commit_changes(
      {
        repository: 'acme/shop',
        branch: 'feat/a',
        message: 'b',
        changes: [{ path: 'b.txt', content: 'b\n' }],
      },
      callContext('run-b:commit'),
    );
    expect(repo?.commitSync('feat/a')).toMatchObject({
      author: { name: bot.name, email: bot.email },
    });

    // One token, one installation lookup, one bot lookup for all of it: each is kept.
    expect(server.app?.tokensCreated).toBe(1);
    expect(server.http.count('apps/get-repo-installation')).toBe(1);
    expect(server.http.count('users/get-by-username')).toBe(1);
  });

  it('makes a new installation token when the last one expires, for REST calls and for git', async () => {
    const app = server.app;
    if (app === undefined) throw new Error('the server has no App');
    // Tokens last their hour and the clock jumps past it. Tokens of two seconds were renewed
    // early when the calls meant to share one took over ~1 s on a loaded machine.
    const pastTheHour = () => (clockAhead += app.tokenLifetimeMs + 1_000);
    const plugin = appPlugin({ installation_id: INSTALLATION });
    const info = () =>
      plugin.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    await info();
    await info();
    expect(app.tokensCreated).toBe(1);
    pastTheHour();
    await info();
    expect(app.tokensCreated).toBe(2);
    pastTheHour();
    await plugin.actions.check_out(
      { repository: 'acme/shop', directory: path.join(dataDir, 'workspaces', 'renewed') },
      callContext(),
    );
    expect(app.tokensCreated).toBe(3);
    // Never an expired token sent: no 401 from either side, and the installation was given.
    expect(server.http.requests.filter((r) => r.status === 401)).toEqual([]);
    expect(server.gitRequests.every((r) => r.status === 200)).toBe(true);
    expect(server.http.count('apps/get-repo-installation')).toBe(0);
  });

  it('says which settings to check when GitHub refuses the key, without the key', async () => {
    const wrong = rsaKeys().privateKey;
    const plugin = appPlugin({ private_key: wrong });
    const failure = plugin.connect();
    await expect(failure).rejects.toThrow(
      `GitHub refused to sign in as GitHub App ${APP_ID} (GET /app answered 401: A JSON web token could not be decoded): check that GITHUB_APP_PRIVATE_KEY is a private key of that App`,
    );
    const message = await failure.catch((error: unknown) => String(error));
    expect(message).not.toContain(keyBody(wrong));
    expect(await plugin.health().catch((e: unknown) => String(e))).toContain('GITHUB_APP_ID');
  });

  it('says to install the App on a repository it is not installed on', async () => {
    server.createRepository('elsewhere/tool', STARTING_FILES);
    await expect(
      appPlugin().actions.get_repository_info({ repository: 'elsewhere/tool' }, callContext()),
    ).rejects.toThrow(
      `the GitHub App ${SLUG} is not installed on elsewhere/tool: install it there (${server.url}/apps/${SLUG}/installations/new), or set GITHUB_APP_INSTALLATION_ID`,
    );
  });

  it('names itself for the pull request loop: the bot and its slug, or the token’s user', async () => {
    await expect(appPlugin().identity?.()).resolves.toEqual({
      login: `${SLUG}[bot]`,
      mentions: [SLUG],
    });
    await expect(githubPlugin({ token: TOKEN }).identity?.()).resolves.toEqual({
      login: 'aidev-bot',
      mentions: ['aidev-bot'],
    });
  });

  it('refuses a configuration without a usable key, saying what it found and never the key', () => {
    const ec = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'sec1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const refusal = (settings: Record<string, unknown>) => {
      try {
        githubPlugin(settings);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal({ app_id: '1', private_key: ec.privateKey })).toBe(
      `plugins.version_control.github.private_key: expected the GitHub App's RSA private key in PEM ("-----BEGIN RSA PRIVATE KEY-----", as GitHub downloads it), found an EC private key; GitHub Apps sign with RSA keys`,
    );
    expect(refusal({ app_id: '1', private_key: ec.publicKey })).toContain(
      'found a PEM block labelled "PUBLIC KEY"',
    );
    expect(refusal({ app_id: '1', private_key: '/etc/aidev/app.pem' })).toContain(
      'found no PEM block',
    );
    expect(refusal({ app_id: '1' })).toContain(
      "private_key: expected the GitHub App's private key (set GITHUB_APP_PRIVATE_KEY)",
    );
    expect(refusal({})).toContain(
      'token: expected a GitHub token (set GITHUB_TOKEN) or a GitHub App (set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)',
    );
    // A key pasted on one line of an env file (`\n` escapes) is read as PEM.
    const oneLine = keys.privateKey.trim().replaceAll('\n', '\\n');
    expect(refusal({ app_id: '1', private_key: oneLine })).toBe('accepted');
  });
});
