import path from 'node:path';
import { gitlab } from '../../../src/adapters/gitlab/gitlab.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { Store } from '../../../src/store/store.js';
import type { GitLabServer } from '../../vendors/gitlab/gitlab-server.js';
import type { CheckOutFixture, FileEntry } from '../contracts/check-out.contract.js';
import { STARTING_FILES } from '../contracts/version-control.contract.js';

export const GITLAB_TOKEN = 'glpat-aidevTestToken0123456789ab';

/** A GitLab plugin on the local server; `guard` overrides the GitLab guard's settings. */
export function gitlabPlugin(options: {
  server: GitLabServer;
  logger: Logger;
  dataDir: string;
  token?: string;
  guard?: Partial<GuardSettings>;
}): Plugin<'version_control'> {
  const guards = new Guards(
    options.logger,
    options.guard === undefined ? {} : { gitlab: options.guard },
  );
  // The GitLab plugin keeps nothing in aidev's database.
  const registry = new PluginRegistry({
    logger: options.logger,
    store: {} as Store,
    guards,
    dataDir: options.dataDir,
  });
  registry.register(gitlab);
  return registry.configure('version_control', 'gitlab', {
    token: options.token ?? GITLAB_TOKEN,
    url: options.server.url,
  }) as Plugin<'version_control'>;
}

/** The version-control and check-out contracts' fixture for `acme/shop` on the local GitLab. */
export function gitlabFixture(
  server: GitLabServer,
  plugin: Plugin<'version_control'>,
  dataDir: string,
): CheckOutFixture {
  const project = () => {
    const found = server.project('acme/shop');
    if (found === undefined) throw new Error('no project acme/shop: reset() first');
    return found;
  };
  const repo = () => project().repository;
  return {
    plugin,
    repository: 'acme/shop',
    reset() {
      server.reset();
      const shop = server.createProject('acme/shop', STARTING_FILES);
      shop.members.set(server.addUser('alice').id, 30);
      // Someone GitLab knows who is no member of the project.
      server.addUser('a-stranger');
      return Promise.resolve();
    },
    writer: 'alice',
    pullRequestAuthor: server.tokenUser.username,
    async reviewComment(number, comment) {
      const mr = project().mergeRequests.find((m) => m.iid === number);
      const headSha = (await repo().refSha(`heads/${mr?.sourceBranch ?? ''}`)) ?? '';
      return server.addDiffNote(project(), number, { ...comment, headSha });
    },
    commentsOn(number) {
      const mr = project().mergeRequests.find((m) => m.iid === number);
      return Promise.resolve(
        (mr?.discussions ?? [])
          .flatMap((d) =>
            d.notes.map((n, i) => ({
              id: n.id,
              body: n.body,
              inReplyTo: i === 0 ? null : (d.notes[0]?.id ?? null),
            })),
          )
          .sort((a, b) => a.id - b.id),
      );
    },
    reviewersOf: (number) =>
      Promise.resolve(
        (project().mergeRequests.find((m) => m.iid === number)?.reviewerIds ?? []).map(
          (id) => server.userById(id)?.username ?? String(id),
        ),
      ),
    checkFinished(sha, check) {
      server.addStatus(project(), {
        sha,
        name: check.name,
        status: check.conclusion === 'success' ? 'success' : 'failed',
        allowFailure: false,
        // A GitLab CI job keeps a log; an external CI's status only its description.
        ...(check.actions
          ? { description: null, job: { log: check.log, failureReason: 'script_failure' } }
          : { description: check.log, targetUrl: 'https://ci.example.com/build/1' }),
      });
      return Promise.resolve();
    },
    filesAt: (branch) => Promise.resolve(repo().filesAt(branch)),
    history: (branch) => Promise.resolve(repo().history(branch)),
    branches: () => Promise.resolve(repo().branches()),
    openPullRequests: () =>
      Promise.resolve(
        project()
          .mergeRequests.filter((m) => m.state === 'opened')
          .map((m) => ({ number: m.iid, branch: m.sourceBranch, title: m.title })),
      ),
    workspace: (name) => path.join(dataDir, 'workspaces', name),
    treeAt(branch) {
      const files = new Map<string, FileEntry>();
      for (const [file, entry] of repo().entriesAt(branch))
        files.set(file, { mode: entry.mode, bytes: repo().blob(entry.sha) });
      return Promise.resolve(files);
    },
  };
}
