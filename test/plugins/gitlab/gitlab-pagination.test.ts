import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { capturingLogger } from '../../support/logger.js';
import { GitLabServer } from '../../vendors/gitlab/gitlab-server.js';
import { callContext } from '../contracts/call-context.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';
import { GITLAB_TOKEN, gitlabPlugin } from './gitlab-setup.js';

/**
 * GitLab answers lists a page at a time (20 items unless `per_page` asks for up to 100) with
 * Link headers; what aidev needs may be on a later page: the one failing status among many
 * passing ones, the thread a review comment is in among a long merge request's discussions.
 */
const { logger } = capturingLogger();
let server: GitLabServer;
let dataDir: string;
let plugin: Plugin<'version_control'>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-gitlab-pages-'));
  server = await GitLabServer.start({ token: GITLAB_TOKEN });
  plugin = gitlabPlugin({
    server,
    logger,
    dataDir,
    guard: { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20 },
  });
});
beforeEach(() => {
  server.reset();
  server.createProject('acme/shop', STARTING_FILES);
});
afterEach(() => {
  expect(server.http.violations).toEqual([]);
  expect(server.validated().other).toBe(0);
  server.http.resetTraffic();
});
afterAll(async () => {
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
});

const shop = () => {
  const found = server.project('acme/shop');
  if (found === undefined) throw new Error('no acme/shop');
  return found;
};
const pagesOf = (operationId: string) =>
  server.http.requests
    .filter((r) => r.operationId === operationId)
    .map((r) => String(r.query.page ?? 1));

describe('gitlab adapter on long lists', () => {
  it('finds the one failing status after two pages of passing ones', async () => {
    const sha = (await shop().repository.refSha('heads/main')) ?? '';
    for (let i = 1; i <= 44; i++)
      server.addStatus(shop(), {
        sha,
        name: `lint ${String(i).padStart(2, '0')}`,
        status: 'success',
        allowFailure: false,
        description: null,
      });
    server.addStatus(shop(), {
      sha,
      name: 'deploy-check',
      status: 'failed',
      allowFailure: false,
      description: 'the staging deploy was refused',
      targetUrl: 'https://ci.example.com/build/45',
    });
    const { checks } = await plugin.actions.get_failing_checks(
      { repository: 'acme/shop', ref: 'main' },
      callContext(),
    );
    expect(checks).toEqual([
      expect.objectContaining({ name: 'deploy-check', conclusion: 'failure' }),
    ]);
    expect(pagesOf('getApiV4ProjectsIdRepositoryCommitsShaStatuses')).toEqual(['1', '2', '3']);
  });

  it('finds a review comment’s thread past the first hundred discussions', async () => {
    await plugin.actions.create_branch({ repository: 'acme/shop', branch: 'long' }, callContext());
    const { number } = await plugin.actions.create_pull_request(
      {
        repository: 'acme/shop',
        source_branch: 'long',
        target_branch: 'main',
        title: 'Long',
        description: 'Much to say',
      },
      callContext('run-long:pr'),
    );
    const headSha = (await shop().repository.refSha('heads/long')) ?? '';
    let last = 0;
    for (let i = 1; i <= 130; i++)
      last = server.addDiffNote(shop(), number, {
        author: 'alice',
        body: `remark ${i}`,
        path: 'src/value.js',
        line: 1,
        headSha,
      });
    const { comments } = await plugin.actions.list_review_comments(
      { repository: 'acme/shop', number, review_id: last },
      callContext(),
    );
    expect(comments).toEqual([expect.objectContaining({ id: last, body: 'remark 130' })]);
    expect(pagesOf('getApiV4ProjectsIdMergeRequestsMergeRequestIidDiscussions')).toEqual([
      '1',
      '2',
    ]);
  });
});
