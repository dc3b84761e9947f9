import { StepError } from '../../engine/step-errors.js';
import { insideWorkspaces } from '../../git/clone.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { failingChecksAction } from './failing-checks.js';
import { createGitLabClient, hasStatus } from './gitlab-client.js';
import { gitlabConfigSchema } from './gitlab-config.js';
import { gitlabProjects } from './gitlab-projects.js';
import { gitlabUsers } from './gitlab-users.js';
import { gitlabTransport } from './git-transport.js';
import { mergeRequestFeedbackActions } from './merge-request-feedback.js';
import { mergeRequestActions } from './merge-requests.js';
import { accessLevelOf, permissionOf } from './permissions.js';

/** Repositories on GitLab.com or a self-managed GitLab, through @gitbeaker/rest and git. */
export const gitlab = definePlugin({
  type: 'version_control',
  name: 'gitlab',
  description: 'GitLab.com or self-managed GitLab projects and merge requests',
  configSchema: gitlabConfigSchema,
  secretFields: ['token'],
  create(config, context: PluginContext): Plugin<'version_control'> {
    // One guard for the REST API and git's smart HTTP: they go to the same GitLab.
    const guard = context.guards.for('gitlab', config.url);
    const client = createGitLabClient({ url: config.url, token: config.token, guard });
    const projects = gitlabProjects(client, config.owner);
    const users = gitlabUsers(client);
    const transport = gitlabTransport({
      token: config.token,
      guard,
      identity: config.commit_author,
    });
    const branchUrl = (webUrl: string, branch: string) =>
      `${webUrl}/-/tree/${encodeURIComponent(branch).replaceAll('%2F', '/')}`;

    let me: Promise<string> | undefined;
    const login = () => {
      me ??= client.Users.showCurrentUser().then(
        (user) => user.username,
        (error: unknown) => {
          me = undefined;
          throw error;
        },
      );
      return me;
    };

    /** The commit a branch points to, or not_found. */
    async function tipOf(projectId: number, path: string, branch: string): Promise<string> {
      try {
        return (await client.Commits.show(projectId, branch)).id;
      } catch (error) {
        if (hasStatus(error, 404))
          throw new StepError(`no branch ${branch} in ${path}`, {
            code: 'not_found',
            cause: error,
          });
        throw error;
      }
    }

    return {
      type: 'version_control',
      name: 'gitlab',
      async connect() {
        me = undefined;
        await login();
      },
      disconnect: () => Promise.resolve(),
      async health() {
        me = undefined;
        return { ok: true, detail: `signed in to ${config.url} as ${await login()}` };
      },
      async identity() {
        const name = await login();
        return { login: name, mentions: [name] };
      },
      actions: {
        async get_repository_info(input) {
          const project = await projects.project(input.repository, true);
          return {
            repository: {
              full_name: project.path,
              default_branch: project.defaultBranch,
              url: project.webUrl,
              private: project.visibility !== 'public',
              description: project.description,
            },
          };
        },
        async get_file_tree(input, call) {
          const project = await projects.project(input.repository);
          const ref = input.ref ?? project.defaultBranch;
          return { files: await transport.fileTree(project.httpUrlToRepo, ref, call.signal) };
        },
        async read_files(input) {
          const project = await projects.project(input.repository);
          const ref = input.ref ?? project.defaultBranch;
          const files = [];
          for (const path of input.paths) {
            const raw = await client.RepositoryFiles.showRaw(project.id, path, ref).catch(
              (error: unknown) => {
                if (hasStatus(error, 404))
                  throw new StepError(`no file ${path} in ${project.path} at ${ref}`, {
                    code: 'not_found',
                    cause: error,
                  });
                throw error;
              },
            );
            const content =
              typeof raw === 'string' ? raw : Buffer.from(await raw.arrayBuffer()).toString('utf8');
            files.push({ path, content });
          }
          return { files };
        },
        async check_out(input, call) {
          const project = await projects.project(input.repository);
          const ref = input.ref ?? project.defaultBranch;
          const directory = insideWorkspaces(context.dataDir, input.directory);
          const head = await transport.checkOut(project.httpUrlToRepo, ref, directory, call.signal);
          return { directory, ref, head };
        },
        async create_branch(input) {
          const project = await projects.project(input.repository);
          const base = input.base_branch ?? project.defaultBranch;
          const baseSha = await tipOf(project.id, project.path, base);
          try {
            const created = await client.Branches.create(project.id, input.branch, baseSha);
            return {
              branch: input.branch,
              branch_url: branchUrl(project.webUrl, input.branch),
              sha: created.commit.id,
            };
          } catch (error) {
            // 400 "Branch already exists": an earlier attempt (or a person) made it; reuse it.
            if (!hasStatus(error, 400)) throw error;
            const existing = await tipOf(project.id, project.path, input.branch).catch(() => {
              throw error;
            });
            return {
              branch: input.branch,
              branch_url: branchUrl(project.webUrl, input.branch),
              sha: existing,
            };
          }
        },
        async commit_changes(input, call) {
          const project = await projects.project(input.repository);
          const common = {
            url: project.httpUrlToRepo,
            branch: input.branch,
            message: input.message,
            idempotencyKey: call.idempotencyKey,
            signal: call.signal,
          };
          const sha =
            input.patch === undefined
              ? await transport.commitChanges({ ...common, changes: input.changes ?? [] })
              : await transport.commitPatch({
                  ...common,
                  diffBase64: input.patch.diff_base64,
                  base: input.patch.base,
                });
          return { sha, commit_url: `${project.webUrl}/-/commit/${sha}` };
        },
        async delete_branch(input) {
          const project = await projects.project(input.repository);
          if (project.defaultBranch === input.branch)
            throw new StepError(`refusing to delete ${input.branch}: it is the default branch`, {
              code: 'invalid_input',
            });
          try {
            await client.Branches.remove(project.id, input.branch);
            return { deleted: true };
          } catch (error) {
            // 404 "Branch Not Found": already gone, which is what was asked.
            if (hasStatus(error, 404)) return { deleted: false };
            throw error;
          }
        },
        ...mergeRequestActions({ client, projects, users }),
        ...mergeRequestFeedbackActions({ client, projects, users }),
        ...failingChecksAction({ client, projects }),
        async get_permission(input) {
          const project = await projects.project(input.repository);
          const id = await users.idOf(input.user);
          if (id === undefined) return { permission: 'none' as const };
          return { permission: permissionOf(await accessLevelOf(client, project.id, id)) };
        },
      },
    };
  },
});
