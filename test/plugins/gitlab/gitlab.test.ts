import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { capturingLogger } from '../../support/logger.js';
import { GitLabServer } from '../../vendors/gitlab/gitlab-server.js';
import { submitReview } from '../../vendors/gitlab/gitlab-state.js';
import { callContext } from '../contracts/call-context.js';
import { checkOutContract } from '../contracts/check-out.contract.js';
import { STARTING_FILES, versionControlContract } from '../contracts/version-control.contract.js';
import { GITLAB_TOKEN, gitlabFixture, gitlabPlugin } from './gitlab-setup.js';

// No secrets are given to the logger: the scan below proves the adapter never logs the token.
const { logger, lines } = capturingLogger();
let server: GitLabServer;
let dataDir: string;
let fast: Plugin<'version_control'>;
const totals = { published: 0, documented: 0, other: 0, injected: 0, answers: 0 };

const FAST = { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20 };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-gitlab-test-'));
  server = await GitLabServer.start({ token: GITLAB_TOKEN });
  fast = gitlabPlugin({ server, logger, dataDir, guard: FAST });
});
afterEach(() => {
  // Any request the real GitLab would refuse fails the test that sent it.
  expect(server.http.violations).toEqual([]);
  const counted = server.validated();
  totals.published += counted.published;
  totals.documented += counted.documented;
  totals.other += counted.other;
  totals.injected += counted.injected;
  totals.answers += counted.answers;
  server.http.resetTraffic();
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
  expect(lines.filter((line) => line.includes(GITLAB_TOKEN))).toEqual([]);
  console.log(
    `GitLab requests validated: ${totals.published} against GitLab's published OpenAPI description, ${totals.documented} against the operations described from GitLab's REST docs, ${totals.other} outside both, 0 invalid (and ${totals.injected} answered by scripted faults, unchecked); ${totals.answers} JSON answers of the local GitLab validated against GitLab's entities, 0 invalid`,
  );
  expect(totals.other).toBe(0);
});

const fixture = () => gitlabFixture(server, fast, dataDir);

versionControlContract('gitlab (REST API through @gitbeaker/rest)', fixture);
checkOutContract('gitlab (git over smart HTTP)', fixture);

describe('gitlab adapter', () => {
  const shop = () => server.project('acme/shop');
  const fresh = async () => {
    await fixture().reset();
    for (const name of ['octocat', 'hubot']) shop()?.members.set(server.addUser(name).id, 30);
  };
  const openBranch = async (branch: string) => {
    await fast.actions.create_branch({ repository: 'acme/shop', branch }, callContext());
    await fast.actions.commit_changes(
      {
        repository: 'acme/shop',
        branch,
        message: branch,
        changes: [{ path: `${branch}.ts`, content: branch }],
      },
      callContext(),
    );
  };

  it('opens a draft merge request with labels and reviewers, and a re-run finds it', async () => {
    await fresh();
    await openBranch('feat/draft');
    const input = {
      repository: 'acme/shop',
      source_branch: 'feat/draft',
      title: 'PROJ-3: round',
      description: 'Rounds.\n/merge\n/approve',
      draft: true,
      labels: ['aidev'],
      reviewers: ['octocat'],
    };
    const first = await fast.actions.create_pull_request(input, callContext('run-3:pr'));
    const again = await fast.actions.create_pull_request(input, callContext('run-4:pr'));
    expect(again).toEqual(first);
    const [mr] = shop()?.mergeRequests ?? [];
    expect(shop()?.mergeRequests).toHaveLength(1);
    expect(mr).toMatchObject({ title: 'Draft: PROJ-3: round', labels: ['aidev'] });
    expect(mr?.reviewerIds).toEqual([server.userByName('octocat')?.id]);
    // A model's description cannot run quick actions with aidev's rights.
    expect(mr?.description?.split('\n').filter((l) => l.startsWith('/'))).toEqual([]);
    expect(first.pr_url).toBe(`${server.url}/acme/shop/-/merge_requests/1`);
  });

  it('adds on a retry the reviewers an attempt could not, without a second merge request', async () => {
    await fresh();
    await openBranch('r');
    const input = {
      repository: 'acme/shop',
      source_branch: 'r',
      title: 'r',
      labels: ['aidev'],
      reviewers: ['octocat', 'hubot'],
    };
    // A merge request opened by an earlier attempt without its reviewers.
    server.addMergeRequest(shop() ?? fail('no project'), {
      title: 'r',
      description: null,
      sourceBranch: 'r',
      targetBranch: 'main',
      labels: ['aidev'],
      reviewerIds: [],
    });
    const retried = await fast.actions.create_pull_request(input, callContext('run-r:pr'));
    expect(retried.number).toBe(1);
    expect(
      shop()?.mergeRequests[0]?.reviewerIds.map((id) => server.userById(id)?.username),
    ).toEqual(['octocat', 'hubot']);
    server.http.resetTraffic();
    await fast.actions.create_pull_request(input, callContext('run-r:pr'));
    // Complete: the open merge request is listed and nothing is written.
    expect(server.http.requests.map((r) => r.method)).not.toContain('PUT');
  });

  it('asks a reviewer already on the merge request for a new review, as "Re-request review" does', async () => {
    await fresh();
    await openBranch('again');
    const { number } = await fast.actions.create_pull_request(
      { repository: 'acme/shop', source_branch: 'again', title: 'again', reviewers: ['octocat'] },
      callContext(),
    );
    const mr = () => shop()?.mergeRequests.find((m) => m.iid === number);
    const asked = () => mr()?.reviewRequests.map((id) => server.userById(id)?.username);
    expect(asked()).toEqual(['octocat']);
    // A round later: octocat reviewed (GitLab keeps them on the list), hubot is new.
    submitReview(
      mr() ?? fail('no merge request'),
      server.userByName('octocat')?.id ?? 0,
      'reviewed',
    );
    const ask = () =>
      fast.actions.request_review(
        { repository: 'acme/shop', number, reviewers: ['octocat', 'hubot'] },
        callContext(),
      );
    expect(await ask()).toEqual({ requested: ['octocat', 'hubot'], skipped: [] });
    expect(asked()).toEqual(['octocat', 'hubot', 'octocat']);
    // The step retried (its answer lost, say): both have the request already; nobody is asked twice.
    expect(await ask()).toEqual({ requested: ['octocat', 'hubot'], skipped: [] });
    expect(asked()).toEqual(['octocat', 'hubot', 'octocat']);
    expect(mr()?.reviewerIds.map((id) => server.userById(id)?.username)).toEqual([
      'octocat',
      'hubot',
    ]);
    // The quick action is run, not kept as a note.
    expect(mr()?.discussions).toEqual([]);
  });

  it('returns the merge request another attempt opened meanwhile (409)', async () => {
    await fresh();
    await openBranch('race');
    server.http.inject({
      when: (r) => r.operationId === 'getApiV4ProjectsIdMergeRequests',
      status: 200,
      body: [],
    });
    server.addMergeRequest(shop() ?? fail('no project'), {
      title: 'race',
      description: null,
      sourceBranch: 'race',
      targetBranch: 'main',
      labels: [],
      reviewerIds: [],
    });
    const pr = await fast.actions.create_pull_request(
      { repository: 'acme/shop', source_branch: 'race', title: 'race' },
      callContext(),
    );
    expect(pr.number).toBe(1);
    expect(
      server.http.requests.find((r) => r.operationId === 'postApiV4ProjectsIdMergeRequests')
        ?.status,
    ).toBe(409);
  });

  it('maps GitLab roles to permissions, inherited memberships included', async () => {
    await fresh();
    const levels = { guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 };
    for (const [name, level] of Object.entries(levels))
      shop()?.members.set(server.addUser(name).id, level);
    const permission = async (user: string) =>
      (await fast.actions.get_permission({ repository: 'acme/shop', user }, callContext()))
        .permission;
    expect(
      await Promise.all(
        ['guest', 'reporter', 'developer', 'maintainer', 'owner', 'nobody'].map(permission),
      ),
    ).toEqual(['read', 'triage', 'write', 'maintain', 'admin', 'none']);
  });

  it('refuses a repository named without its group, and an unknown project, saying so', async () => {
    await fresh();
    await expect(
      fast.actions.get_repository_info({ repository: 'shop' }, callContext()),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('owner setting') as unknown as string,
    });
    await expect(
      fast.actions.get_repository_info({ repository: 'acme/nope' }, callContext()),
    ).rejects.toMatchObject({
      code: 'not_found',
      message: 'no GitLab project acme/nope (or the token cannot see it)',
    });
  });

  it('says what GitLab said when it refuses a token, and never shows the token', async () => {
    await fresh();
    const wrong = gitlabPlugin({
      server,
      logger,
      dataDir,
      token: 'glpat-wrong',
      guard: { ...FAST, retries: 0 },
    });
    const refused = await wrong.health().catch((error: unknown) => error as Error);
    expect(String((refused as Error).message)).toBe(
      'GitLab GET /user answered 401: 401 Unauthorized',
    );
    expect(String((refused as Error).message)).not.toContain('glpat');
    expect((await fast.health()).detail).toBe(`signed in to ${server.url} as aidev-bot`);
  });

  it('waits as GitLab asks on a 429 and tries again through the guard; a 502 is retryable', async () => {
    await fresh();
    const project = (r: { operationId: string | undefined }) =>
      r.operationId === 'getApiV4ProjectsId';
    server.http.inject({ when: project, status: 429, headers: { 'retry-after': '0' } });
    const info = await fast.actions.get_repository_info({ repository: 'acme/shop' }, callContext());
    expect(info.repository.full_name).toBe('acme/shop');
    expect(server.http.requests.filter(project).map((r) => r.status)).toEqual([429, 200]);
    const once = gitlabPlugin({ server, logger, dataDir, guard: { ...FAST, retries: 0 } });
    server.http.inject({ when: project, status: 502 });
    await expect(
      once.actions.get_repository_info({ repository: 'acme/shop' }, callContext()),
    ).rejects.toMatchObject({ status: 502, retryable: true });
  });

  it('reads a project nested in subgroups, and commits to it over git', async () => {
    await fresh();
    server.createProject('acme/team/api', STARTING_FILES);
    const info = await fast.actions.get_repository_info(
      { repository: 'acme/team/api' },
      callContext(),
    );
    expect(info.repository).toMatchObject({ full_name: 'acme/team/api', default_branch: 'main' });
    await fast.actions.create_branch({ repository: 'acme/team/api', branch: 'x' }, callContext());
    const commit = await fast.actions.commit_changes(
      {
        repository: 'acme/team/api',
        branch: 'x',
        message: 'x',
        changes: [{ path: 'x', content: 'x' }],
      },
      callContext(),
    );
    expect(server.project('acme/team/api')?.repository.filesAt('x').x).toBe('x');
    expect(commit.commit_url).toBe(`${server.url}/acme/team/api/-/commit/${commit.sha}`);
  });
});

function fail(message: string): never {
  throw new Error(message);
}
