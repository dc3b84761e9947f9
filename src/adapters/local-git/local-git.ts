import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { StepError } from '../../engine/step-errors.js';
import { REPOSITORY_PERMISSIONS } from '../../plugins/interfaces/version-control.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { markdownText } from '../../plugins/markdown-text.js';
import { commitChangeSet } from '../../git/commit-change-set.js';
import { cloneBranch, insideWorkspaces } from '../../git/clone.js';
import { commitPatch, madeBy, moveBranch, type CommitIdentity } from '../../git/commit-patch.js';
import { git, resolveRef } from '../../git/git.js';
import { pullRequestFeedbackActions } from './pull-request-feedback.js';
import { confinementOf, repositoryDirectory } from './repository-paths.js';

const configSchema = z.strictObject({
  /**
   * Where repositories named by a relative name live; default: `repos/` in the data directory.
   * Elsewhere only inside `local_git.allowed_paths` of the settings file.
   */
  repositories_dir: z.string().min(1).optional(),
  /** Author and committer of the commits aidev makes. */
  commit_author: z
    .strictObject({ name: z.string().min(1), email: z.string().min(3) })
    .default({ name: 'aidev', email: 'aidev@localhost' }),
  /**
   * Who has which permission on these repositories (they have no accounts of their own):
   * a person's name → admin, maintain, write, triage or read. Everyone else has none.
   */
  collaborators: z.record(z.string().min(1), z.enum(REPOSITORY_PERMISSIONS)).default({}),
});

/**
 * A working copy's patch committed on a branch: found again if an earlier attempt made it, else
 * applied on the branch's tip and the branch moved there only if nothing moved it meanwhile.
 */
async function commitPatchToBranch(options: {
  repo: string;
  branch: string;
  message: string;
  diffBase64: string;
  base: string;
  idempotencyKey: string;
  identity: CommitIdentity;
}): Promise<string> {
  const { repo, branch } = options;
  const tip = await resolveRef(repo, `refs/heads/${branch}`);
  if (tip === undefined)
    throw new StepError(`no branch ${branch} in ${repo}; create it first`, { code: 'not_found' });
  if (await madeBy(repo, tip, options.idempotencyKey)) return tip;
  const commit = await commitPatch({ ...options, tip });
  await moveBranch(repo, branch, commit, tip);
  return commit;
}

/**
 * Version control on real git repositories on this machine: branches and commits are made with
 * git; a pull request is recorded in the database with its diff.
 */
export const localGit = definePlugin({
  type: 'version_control',
  name: 'local_git',
  description: 'Git repositories on this machine; pull requests recorded in aidev',
  configSchema,
  create(config, context: PluginContext): Plugin<'version_control'> {
    const confinement = confinementOf(
      config.repositories_dir,
      path.join(context.dataDir, 'repos'),
      context.allowedPaths ?? [],
    );
    const { root } = confinement;
    const { store } = context;

    /** A repository by name in the repositories folder, or by a path the settings file allows. */
    const repoOf = (name: string) => repositoryDirectory(name, confinement);

    const defaultBranch = async (repo: string) =>
      (await git(['symbolic-ref', '--short', 'HEAD'], { cwd: repo })).trim();
    const branchUrl = (repo: string, branch: string) =>
      `${pathToFileURL(repo).href}#branch=${encodeURIComponent(branch)}`;
    const pullUrl = (repo: string, number: number) => `${pathToFileURL(repo).href}#pull=${number}`;

    async function tipOf(repo: string, branch: string): Promise<string> {
      const sha = await resolveRef(repo, `refs/heads/${branch}`);
      if (sha === undefined)
        throw new StepError(`no branch ${branch} in ${repo}`, { code: 'not_found' });
      return sha;
    }

    return {
      type: 'version_control',
      name: 'local_git',
      connect: () => fs.mkdir(root, { recursive: true }).then(() => undefined),
      disconnect: () => Promise.resolve(),
      async health() {
        const version = (await git(['--version'], { cwd: process.cwd() })).trim();
        await fs.access(root, fsConstants.W_OK);
        return { ok: true, detail: `${version}; repositories in ${root}` };
      },
      actions: {
        async get_repository_info(input) {
          const repo = await repoOf(input.repository);
          return {
            repository: {
              full_name: input.repository,
              default_branch: await defaultBranch(repo),
              url: pathToFileURL(repo).href,
              path: repo,
            },
          };
        },
        async get_file_tree(input) {
          const repo = await repoOf(input.repository);
          const ref = input.ref ?? (await defaultBranch(repo));
          const listing = await git(['ls-tree', '-r', '-l', '--full-tree', ref], { cwd: repo });
          const files = listing
            .split('\n')
            .filter((line) => line.includes(' blob '))
            .map((line) => {
              const [meta = '', file = ''] = line.split('\t');
              return { path: file, size: Number(meta.trim().split(/\s+/)[3] ?? 0) };
            });
          return { files };
        },
        async read_files(input) {
          const repo = await repoOf(input.repository);
          const ref = input.ref ?? (await defaultBranch(repo));
          const files = [];
          for (const file of input.paths) {
            try {
              files.push({
                path: file,
                content: await git(['show', `${ref}:${file}`], { cwd: repo }),
              });
            } catch {
              throw new StepError(`no file ${file} at ${ref} in ${input.repository}`, {
                code: 'not_found',
              });
            }
          }
          return { files };
        },
        async create_branch(input) {
          const repo = await repoOf(input.repository);
          await git(['check-ref-format', '--branch', input.branch], { cwd: repo }).catch(() => {
            throw new StepError(`"${input.branch}" is not a valid branch name`, {
              code: 'invalid_input',
            });
          });
          const existing = await resolveRef(repo, `refs/heads/${input.branch}`);
          if (existing !== undefined)
            return {
              branch: input.branch,
              branch_url: branchUrl(repo, input.branch),
              sha: existing,
            };
          const base = input.base_branch ?? (await defaultBranch(repo));
          const baseSha = await tipOf(repo, base);
          await git(['branch', input.branch, baseSha], { cwd: repo });
          return { branch: input.branch, branch_url: branchUrl(repo, input.branch), sha: baseSha };
        },
        async check_out(input) {
          const repo = await repoOf(input.repository);
          const ref = input.ref ?? (await defaultBranch(repo));
          const directory = insideWorkspaces(context.dataDir, input.directory);
          const head = await cloneBranch({ url: repo, ref, directory });
          return { directory, ref, head };
        },
        async commit_changes(input, call) {
          const repo = await repoOf(input.repository);
          const sha =
            input.patch === undefined
              ? (
                  await commitChangeSet({
                    repo,
                    branch: input.branch,
                    message: input.message,
                    changes: input.changes ?? [],
                    idempotencyKey: call.idempotencyKey,
                  })
                ).sha
              : await commitPatchToBranch({
                  repo,
                  branch: input.branch,
                  message: input.message,
                  diffBase64: input.patch.diff_base64,
                  base: input.patch.base,
                  idempotencyKey: call.idempotencyKey,
                  identity: config.commit_author,
                });
          return { sha, commit_url: `${pathToFileURL(repo).href}#commit=${sha}` };
        },
        async create_pull_request(input) {
          const repo = await repoOf(input.repository);
          const branch = input.source_branch ?? input.branch_name;
          if (branch === undefined)
            throw new StepError(
              'create_pull_request: expected source_branch (or branch_name), found nothing',
              { code: 'invalid_input' },
            );
          const target = input.target_branch ?? (await defaultBranch(repo));
          const head = await tipOf(repo, branch);
          await tipOf(repo, target);
          const diff = await git(['diff', '--no-color', `${target}...${branch}`], { cwd: repo });
          const { pull } = await store.localPullRequests.open({
            repository: repo,
            sourceBranch: branch,
            targetBranch: target,
            // As on GitHub: a model's words, kept from forming pings, HTML or links.
            title: markdownText(input.title),
            body: markdownText(input.description ?? ''),
            draft: input.draft ?? false,
            labels: input.labels ?? [],
            reviewers: input.reviewers ?? [],
            headSha: head,
            diff,
          });
          return { pr_url: pullUrl(repo, pull.number), number: pull.number, branch };
        },
        async find_pull_request(input) {
          const repo = await repoOf(input.repository);
          const pull = await store.localPullRequests.findOpen(repo, input.branch);
          if (pull === null) return { pull_request: null };
          // The branch's tip is the pull request's head, whatever was pushed since it opened.
          const head = await resolveRef(repo, `refs/heads/${input.branch}`);
          return {
            pull_request: {
              pr_url: pullUrl(repo, pull.number),
              number: pull.number,
              ...(head === undefined ? {} : { head_sha: head }),
            },
          };
        },
        async close_pull_request(input) {
          const repo = await repoOf(input.repository);
          return { closed: (await store.localPullRequests.close(repo, input.number)) !== null };
        },
        get_permission(input) {
          return Promise.resolve({
            permission: Object.hasOwn(config.collaborators, input.user)
              ? (config.collaborators[input.user] ?? 'none')
              : 'none',
          });
        },
        ...pullRequestFeedbackActions({
          store,
          repoOf,
          author: config.commit_author.name,
          collaborators: config.collaborators,
        }),
        async delete_branch(input) {
          const repo = await repoOf(input.repository);
          if ((await resolveRef(repo, `refs/heads/${input.branch}`)) === undefined)
            return { deleted: false };
          if ((await defaultBranch(repo)) === input.branch)
            throw new StepError(`refusing to delete ${input.branch}: it is the default branch`, {
              code: 'invalid_input',
            });
          await git(['branch', '-D', input.branch], { cwd: repo });
          return { deleted: true };
        },
      },
    };
  },
});
