import { StepError } from '../../engine/step-errors.js';
import {
  REPOSITORY_PERMISSIONS,
  type RepositoryPermission,
} from '../../plugins/interfaces/version-control.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { insideWorkspaces } from '../../git/clone.js';
import { commitChangeSet } from './commit-change-set.js';
import { gitTransport } from './git-transport.js';
import { githubConfigSchema } from './github-config.js';
import { gitHubLimits, hasStatus, webUrlOf } from './github-client.js';
import { appSession, tokenSession, type GitHubSession } from './github-session.js';
import { pullRequestFeedbackActions } from './pull-request-feedback.js';
import { pullRequestActions } from './pull-requests.js';
import { repositoryNamer } from './repository-name.js';

const DEFAULT_BRANCH_TTL_MS = 5 * 60_000;

/**
 * GitHub answers a legacy `permission` (admin, write, read, none) and the `role_name` (also
 * maintain and triage, or an organisation's custom role): the role when it is a standard one.
 */
function permissionOf(role: string, legacy: string): RepositoryPermission {
  const known = (name: string) => REPOSITORY_PERMISSIONS.find((p) => p === name);
  return known(role) ?? known(legacy) ?? 'none';
}

/** Repositories on GitHub (or GitHub Enterprise), through @octokit/rest. */
export const github = definePlugin({
  type: 'version_control',
  name: 'github',
  description: 'GitHub or GitHub Enterprise repositories and pull requests',
  configSchema: githubConfigSchema,
  secretFields: ['token', 'private_key'],
  create(config, context: PluginContext): Plugin<'version_control'> {
    const logger = context.logger.child({ plugin: 'github' });
    // The same guard for REST calls and git's smart HTTP: they go to the same GitHub.
    const common = {
      apiUrl: config.api_url,
      limits: gitHubLimits({
        writeSpacingMs: config.write_spacing_ms,
        notificationSpacingMs: config.notification_spacing_ms,
      }),
      guard: context.guards.for('github', config.api_url),
      logger,
    };
    const session: GitHubSession =
      config.app_id !== undefined && config.private_key !== undefined
        ? appSession({
            ...common,
            appId: String(config.app_id),
            privateKey: config.private_key,
            installationId: config.installation_id,
            ...(context.now === undefined ? {} : { now: context.now }),
          })
        : tokenSession({
            ...common,
            token: config.token ?? '',
            commitAuthor: config.commit_author,
          });
    const clientFor = (owner: string, repo: string) => session.clientFor(owner, repo);
    const web = webUrlOf(config.api_url);
    const nameOf = repositoryNamer(config.owner);
    const transport = gitTransport({
      token: (owner, repo) => session.gitToken(owner, repo),
      apiUrl: config.api_url,
      guard: common.guard,
      identity: (owner, repo) => session.gitAuthor(owner, repo),
    });

    async function repository(name: string) {
      const { owner, repo } = nameOf(name);
      const octokit = await clientFor(owner, repo);
      try {
        const { data } = await octokit.rest.repos.get({ owner, repo });
        defaults.set(name, {
          branch: data.default_branch,
          until: Date.now() + DEFAULT_BRANCH_TTL_MS,
        });
        return data;
      } catch (error) {
        if (hasStatus(error, 404))
          throw new StepError(
            `no GitHub repository ${owner}/${repo} (or the token cannot see it)`,
            { code: 'not_found', cause: error },
          );
        throw error;
      }
    }

    // A repository's default branch rarely changes; knowing it saves a request per step.
    const defaults = new Map<string, { branch: string; until: number }>();
    async function defaultBranchOf(name: string): Promise<string> {
      const known = defaults.get(name);
      if (known !== undefined && known.until > Date.now()) return known.branch;
      return (await repository(name)).default_branch;
    }

    const branchUrl = (owner: string, repo: string, branch: string) =>
      `${web}/${owner}/${repo}/tree/${encodeURIComponent(branch).replaceAll('%2F', '/')}`;

    return {
      type: 'version_control',
      name: 'github',
      async connect() {
        await session.signIn();
      },
      disconnect: () => Promise.resolve(),
      async health() {
        return { ok: true, detail: `signed in to ${config.api_url} as ${await session.signIn()}` };
      },
      identity: () => session.identity(),
      actions: {
        async get_repository_info(input) {
          const data = await repository(input.repository);
          return {
            repository: {
              full_name: data.full_name,
              default_branch: data.default_branch,
              url: data.html_url,
              private: data.private,
              description: data.description ?? '',
            },
          };
        },
        async get_file_tree(input) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          const ref = input.ref ?? (await defaultBranchOf(input.repository));
          const { data } = await octokit.rest.git.getTree({
            owner,
            repo,
            tree_sha: ref,
            recursive: 'true',
          });
          if (data.truncated)
            logger.warn(
              { repository: `${owner}/${repo}` },
              'GitHub truncated the file tree (over 100 000 entries); some files are not listed',
            );
          return {
            files: data.tree
              .filter((entry) => entry.type === 'blob' && entry.path !== undefined)
              .map((entry) => ({ path: entry.path ?? '', size: entry.size ?? 0 })),
          };
        },
        async read_files(input) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          const files = [];
          for (const path of input.paths) {
            const { data } = await octokit.rest.repos
              .getContent({
                owner,
                repo,
                path,
                ...(input.ref === undefined ? {} : { ref: input.ref }),
              })
              .catch((error: unknown) => {
                if (hasStatus(error, 404))
                  throw new StepError(
                    `no file ${path} in ${owner}/${repo}${input.ref === undefined ? '' : ` at ${input.ref}`}`,
                    {
                      code: 'not_found',
                      cause: error,
                    },
                  );
                throw error;
              });
            if (Array.isArray(data) || data.type !== 'file')
              throw new StepError(`${path} in ${owner}/${repo} is not a file`, {
                code: 'invalid_input',
              });
            // Files over 1 MB come without content: read their blob instead.
            const base64 =
              'content' in data && data.encoding === 'base64'
                ? data.content
                : (await octokit.rest.git.getBlob({ owner, repo, file_sha: data.sha })).data
                    .content;
            files.push({ path, content: Buffer.from(base64, 'base64').toString('utf8') });
          }
          return { files };
        },
        async create_branch(input) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          const base = input.base_branch ?? (await defaultBranchOf(input.repository));
          const baseSha = (await octokit.rest.git.getRef({ owner, repo, ref: `heads/${base}` }))
            .data.object.sha;
          try {
            await octokit.rest.git.createRef({
              owner,
              repo,
              ref: `refs/heads/${input.branch}`,
              sha: baseSha,
            });
            return {
              branch: input.branch,
              branch_url: branchUrl(owner, repo, input.branch),
              sha: baseSha,
            };
          } catch (error) {
            // 422 "Reference already exists": an earlier attempt (or a person) made it; reuse it.
            if (!hasStatus(error, 409, 422)) throw error;
            const existing = await octokit.rest.git
              .getRef({ owner, repo, ref: `heads/${input.branch}` })
              .catch(() => {
                throw error;
              });
            return {
              branch: input.branch,
              branch_url: branchUrl(owner, repo, input.branch),
              sha: existing.data.object.sha,
            };
          }
        },
        async check_out(input, call) {
          const { owner, repo } = nameOf(input.repository);
          const ref = input.ref ?? (await defaultBranchOf(input.repository));
          const directory = insideWorkspaces(context.dataDir, input.directory);
          const head = await transport.checkOut(owner, repo, ref, directory, call.signal);
          return { directory, ref, head };
        },
        async commit_changes(input, call) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          const sha =
            input.patch === undefined
              ? await commitChangeSet(octokit, {
                  owner,
                  repo,
                  author: await session.restAuthor(owner, repo),
                  branch: input.branch,
                  message: input.message,
                  changes: input.changes ?? [],
                  idempotencyKey: call.idempotencyKey,
                })
              : await transport.commitPatch({
                  owner,
                  repo,
                  branch: input.branch,
                  message: input.message,
                  diffBase64: input.patch.diff_base64,
                  base: input.patch.base,
                  idempotencyKey: call.idempotencyKey,
                  signal: call.signal,
                });
          return { sha, commit_url: `${web}/${owner}/${repo}/commit/${sha}` };
        },
        async delete_branch(input) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          if ((await defaultBranchOf(input.repository)) === input.branch)
            throw new StepError(`refusing to delete ${input.branch}: it is the default branch`, {
              code: 'invalid_input',
            });
          try {
            await octokit.rest.git.deleteRef({ owner, repo, ref: `heads/${input.branch}` });
            return { deleted: true };
          } catch (error) {
            // 422 "Reference does not exist": already gone, which is what was asked.
            if (hasStatus(error, 404, 422)) return { deleted: false };
            throw error;
          }
        },
        ...pullRequestActions(clientFor, nameOf, defaultBranchOf),
        ...pullRequestFeedbackActions(clientFor, nameOf),
        async get_permission(input) {
          const { owner, repo } = nameOf(input.repository);
          const octokit = await clientFor(owner, repo);
          try {
            const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({
              owner,
              repo,
              username: input.user,
            });
            return { permission: permissionOf(data.role_name, data.permission) };
          } catch (error) {
            // 404: no such user (a person without access is answered `none`).
            if (hasStatus(error, 404)) return { permission: 'none' as const };
            throw error;
          }
        },
      },
    };
  },
});
