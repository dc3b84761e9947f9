import { Octokit } from '@octokit/rest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { github } from '../../../src/adapters/github/github.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { GitHubServer } from '../../vendors/github/github-server.js';
import { callContext } from '../contracts/call-context.js';
import { STARTING_FILES, versionControlContract } from '../contracts/version-control.contract.js';

const TOKEN = 'ghp_aidevTestToken0123456789abcdefABCDEF';
// No secrets are given to the logger: the scan below proves the adapter never logs the token.
const { logger, lines } = capturingLogger();
let server: GitHubServer;

/** A GitHub plugin on the local server; `guard` overrides the GitHub guard's settings. */
function githubPlugin(options: { token?: string; guard?: Partial<GuardSettings> } = {}): {
  plugin: Plugin<'version_control'>;
  registry: PluginRegistry;
  guards: Guards;
} {
  const guards = new Guards(logger, options.guard === undefined ? {} : { github: options.guard });
  // The GitHub plugin keeps nothing in aidev's database.
  const registry = new PluginRegistry({ logger, store: {} as Store, guards, dataDir: '/tmp' });
  registry.register(github);
  const plugin = registry.configure('version_control', 'github', {
    token: options.token ?? TOKEN,
    api_url: server.url,
    ...(options.guard === undefined ? {} : { write_spacing_ms: 0, notification_spacing_ms: 0 }),
  }) as Plugin<'version_control'>;
  return { plugin, registry, guards };
}

const FAST = { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20 };
let fast: Plugin<'version_control'>;

beforeAll(async () => {
  server = await GitHubServer.start({ token: TOKEN });
  fast = githubPlugin({ guard: FAST }).plugin;
});
afterEach(() => {
  // Any request the real GitHub would refuse fails the test that sent it.
  expect(server.http.violations).toEqual([]);
});
afterAll(async () => {
  await server.close();
  expect(lines.filter((line) => line.includes(TOKEN))).toEqual([]);
});

const repoOf = () => server.repos.get('acme/shop');

versionControlContract('github (REST API through @octokit/rest)', () => ({
  plugin: fast,
  repository: 'acme/shop',
  reset() {
    server.reset();
    server.createRepository('acme/shop', STARTING_FILES);
    return Promise.resolve();
  },
  filesAt: (branch) => Promise.resolve(repoOf()?.filesAt(branch) ?? {}),
  history: (branch) => Promise.resolve(repoOf()?.history(branch) ?? []),
  branches: () =>
    Promise.resolve(
      [...(repoOf()?.refs.keys() ?? [])]
        .filter((r) => r.startsWith('heads/'))
        .map((r) => r.slice('heads/'.length))
        .sort(),
    ),
  openPullRequests: () =>
    Promise.resolve(
      (repoOf()?.pulls ?? [])
        .filter((p) => p.state === 'open')
        .map((p) => ({ number: p.number, branch: p.head, title: p.title })),
    ),
}));

describe('github adapter', () => {
  const fresh = () => {
    server.reset();
    server.createRepository('acme/shop', STARTING_FILES);
  };
  const FIVE_FILES = [
    { path: 'src/cart.ts', content: 'export const total = () => 0;\n' },
    { path: 'src/round.ts', content: 'export const round = Math.round;\n' },
    { path: 'src/money/format.ts', content: 'export {};\n' },
    { path: 'test/round.test.ts', content: '// round\n' },
    { path: 'src/legacy.ts', delete: true as const },
  ];

  it('commits a five-file change (one deletion) and opens a PR in at most 8 requests, under 1 s; a re-run creates nothing', async () => {
    fresh();
    // Default guard and write spacing: what a real installation runs with.
    const { plugin } = githubPlugin();
    await plugin.actions.create_branch(
      { repository: 'acme/shop', branch: 'aidev/proj-7' },
      callContext(),
    );
    server.http.resetTraffic();
    const step = async () => {
      const commit = await plugin.actions.commit_changes(
        { repository: 'acme/shop', branch: 'aidev/proj-7', message: 'PROJ-7', changes: FIVE_FILES },
        callContext('run-7:commit'),
      );
      const pr = await plugin.actions.create_pull_request(
        { repository: 'acme/shop', source_branch: 'aidev/proj-7', title: 'PROJ-7' },
        callContext('run-7:pr'),
      );
      return { commit, pr };
    };
    const started = performance.now();
    const first = await step();
    const elapsed = performance.now() - started;
    const requests = server.http.count();
    console.log(`commit (5 files) + PR: ${requests} requests in ${elapsed.toFixed(0)} ms`);
    expect(requests).toBeLessThanOrEqual(8);
    expect(elapsed).toBeLessThan(1000);
    expect(server.http.count('git/create-blob')).toBe(0);
    expect(repoOf()?.filesAt('aidev/proj-7')['src/legacy.ts']).toBeUndefined();

    server.http.resetTraffic();
    await plugin.actions.create_branch(
      { repository: 'acme/shop', branch: 'aidev/proj-7' },
      callContext(),
    );
    const again = await step();
    // The branch already existed: GitHub answered 422 and the adapter reused it.
    expect(server.http.requests.find((r) => r.operationId === 'git/create-ref')?.status).toBe(422);
    expect(again).toEqual(first);
    const writes = [
      'git/create-ref',
      'git/create-tree',
      'git/create-commit',
      'git/update-ref',
      'pulls/create',
    ];
    const attempted = server.http.requests.filter(
      (r) => writes.includes(r.operationId ?? '') && r.status < 300,
    );
    expect(attempted).toEqual([]);
    expect(repoOf()?.pulls).toHaveLength(1);
    expect(repoOf()?.history('aidev/proj-7')).toEqual(['PROJ-7', 'Initial commit']);
    console.log(`re-run of branch + commit + PR: ${server.http.count()} requests, nothing created`);
  });

  it('adds labels and reviewers to the pull request it opens', async () => {
    fresh();
    await fast.actions.create_branch({ repository: 'acme/shop', branch: 'f' }, callContext());
    await fast.actions.commit_changes(
      {
        repository: 'acme/shop',
        branch: 'f',
        message: 'f',
        changes: [{ path: 'f', content: 'f' }],
      },
      callContext(),
    );
    await fast.actions.create_pull_request(
      {
        repository: 'acme/shop',
        source_branch: 'f',
        title: 'f',
        draft: true,
        labels: ['aidev'],
        reviewers: ['octocat'],
      },
      callContext(),
    );
    expect(repoOf()?.pulls[0]).toMatchObject({
      draft: true,
      labels: ['aidev'],
      reviewers: ['octocat'],
    });
  });

  it('names a repository that does not exist', async () => {
    fresh();
    await expect(
      fast.actions.get_repository_info({ repository: 'acme/nope' }, callContext()),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('acme/nope') as unknown as string,
    });
  });

  it('waits as long as Retry-After asks after a 429, then succeeds', async () => {
    fresh();
    server.http.inject({
      status: 429,
      headers: { 'retry-after': '1' },
      when: (r) => r.operationId === 'repos/get',
    });
    const started = performance.now();
    await fast.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.http.count('repos/get')).toBe(2);
  });

  it('retries GitHub’s secondary rate limit (403 with Retry-After)', async () => {
    fresh();
    server.http.inject({
      status: 403,
      headers: { 'retry-after': '0' },
      body: {
        message: 'You have exceeded a secondary rate limit.',
        documentation_url: 'https://docs.github.com',
      },
    });
    await fast.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(server.http.count('repos/get')).toBe(2);
  });

  it('retries 5xx with our retries only (Octokit’s are off): 2 failures + 1 success = 3 requests', async () => {
    fresh();
    server.http.inject({ status: 502, times: 2 });
    await fast.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(server.http.count()).toBe(3);
  });

  it('retries a dropped connection', async () => {
    fresh();
    server.http.inject({ drop: true });
    await fast.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(server.http.count()).toBe(2);
  });

  it('opens its breaker on an outage (calls stop reaching GitHub) and closes it after a good probe', async () => {
    fresh();
    const { plugin, guards } = githubPlugin({
      guard: { ...FAST, retries: 0, breakerVolume: 3, breakerResetMs: 300 },
    });
    server.http.inject({ status: 503, times: 1000 });
    for (let i = 0; i < 3; i++)
      await plugin.actions
        .get_repository_info({ repository: 'acme/shop' }, callContext())
        .catch(() => undefined);
    expect(guards.for('github').state()).toBe('open');
    const reached = server.http.count();
    await expect(
      plugin.actions.get_repository_info({ repository: 'acme/shop' }, callContext()),
    ).rejects.toMatchObject({ code: 'circuit_open' });
    expect(server.http.count()).toBe(reached);

    server.http.resetTraffic();
    await new Promise((resolve) => setTimeout(resolve, 350));
    await plugin.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(guards.for('github').state()).toBe('closed');
  });

  it('reports a bad token as unhealthy, without the token', async () => {
    fresh();
    const { registry } = githubPlugin({ token: 'ghp_wrongToken000000000000000000000000' });
    await registry.connectAll();
    const [health] = await registry.health();
    expect(health?.ok).toBe(false);
    expect(health?.detail).toContain('401');
    expect(JSON.stringify(health)).not.toContain('ghp_wrong');
  });

  it('answers a request that violates GitHub’s description with 400, and records it', async () => {
    fresh();
    const octokit = new Octokit({ baseUrl: server.url, auth: TOKEN, retry: { enabled: false } });
    await expect(
      // `sha` is required by the description; the real GitHub refuses this request too.
      octokit.request('POST /repos/{owner}/{repo}/git/refs', {
        owner: 'acme',
        repo: 'shop',
        ref: 'refs/heads/x',
      } as { owner: string; repo: string; ref: string; sha: string }),
    ).rejects.toMatchObject({ status: 400 });
    expect(server.http.violations).toEqual([expect.stringContaining('git/create-ref')]);
    server.http.violations.length = 0;
  });
});
