import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GitLabJson } from '../../vendors/gitlab/gitlab-json.js';
import { GitLabServer } from '../../vendors/gitlab/gitlab-server.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';
import { GITLAB_TOKEN } from './gitlab-setup.js';

/**
 * The local GitLab checks its own answers against GitLab's entities (openapi-v2-excerpt.yaml):
 * an answer the real GitLab would not give is a violation, as an invalid request is.
 */
describe('the local GitLab validates its answers', () => {
  let server: GitLabServer;
  const get = async (path: string) => {
    const response = await fetch(`${server.url}/api/v4${path}`, {
      headers: { 'private-token': GITLAB_TOKEN },
    });
    expect(response.status).toBe(200);
    return await response.json();
  };
  const statusesOfMain = async () => {
    const project = server.project('acme/shop');
    if (project === undefined) throw new Error('no project');
    const { id: sha } = (await get(`/projects/${project.id}/repository/commits/main`)) as {
      id: string;
    };
    server.addStatus(project, {
      sha,
      name: 'lint',
      status: 'failed',
      allowFailure: false,
      description: null,
    });
    return get(`/projects/${project.id}/repository/commits/${sha}/statuses`);
  };

  beforeAll(async () => {
    server = await GitLabServer.start({ token: GITLAB_TOKEN });
  });
  beforeEach(() => {
    server.reset();
    server.createProject('acme/shop', STARTING_FILES);
  });
  afterAll(async () => {
    await server.close();
  });

  it('finds nothing wrong in the answers it builds, and counts them', async () => {
    const statuses = (await statusesOfMain()) as { id: unknown; description: unknown }[];
    expect(statuses[0]?.id).toEqual(expect.any(Number));
    // A null where GitLab documents a string is what GitLab sends for an unset value.
    expect(statuses[0]?.description).toBeNull();
    expect(server.http.violations).toEqual([]);
    expect(server.validated().answers).toBe(2);
  });

  it('reports a status id sent as a string, which GitLab types as an integer', async () => {
    const built = server.json;
    // Deliberately not GitLab's JSON: the type says so, hence the cast.
    server.json = {
      ...built,
      status: (s: Parameters<GitLabJson['status']>[0]) => ({
        ...built.status(s),
        id: String(s.id),
      }),
    } as unknown as GitLabJson;
    try {
      await statusesOfMain();
    } finally {
      server.json = built;
    }
    expect(server.http.violations).toEqual([
      'GitLab test server: the answer of getApiV4ProjectsIdRepositoryCommitsShaStatuses violates the GitLab API description: /0/id must be integer',
    ]);
  });

  it('reports a branch whose commit is a sha where GitLab sends the commit entity', async () => {
    const built = server.json;
    server.json = {
      ...built,
      branch: (...args: Parameters<GitLabJson['branch']>) => ({
        ...built.branch(...args),
        commit: args[2].sha,
      }),
    } as unknown as GitLabJson;
    const project = server.project('acme/shop');
    try {
      await fetch(`${server.url}/api/v4/projects/${project?.id ?? 0}/repository/branches`, {
        method: 'POST',
        headers: { 'private-token': GITLAB_TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ branch: 'feature', ref: 'main' }),
      });
    } finally {
      server.json = built;
    }
    expect(server.http.violations).toEqual([
      'GitLab test server: the answer of postApiV4ProjectsIdRepositoryBranches violates the GitLab API description: /commit must be object',
    ]);
  });
});
