import { VendorHttpError, type Handler, type HandlerRequest } from '../kit/vendor-server.js';
import type { PullRequest } from './git-model.js';
import { DOCS, githubError, pullJson, refJson, repoJson } from './github-json.js';
import type { GitHubServer } from './github-server.js';

const param = (request: HandlerRequest, name: string) =>
  decodeURIComponent(request.params[name] ?? '');

/** The operations aidev calls, by operation id, over the server's repositories. */
export function githubHandlers(server: () => GitHubServer): Record<string, Handler> {
  const body = (request: HandlerRequest) => request.body as Record<string, unknown>;
  return {
    'users/get-authenticated': (request) => {
      server().authenticate(request);
      return { body: { login: 'aidev-bot', id: 1, type: 'Bot' } };
    },
    'repos/get': (request) => ({ body: repoJson(server().repo(request)) }),
    'git/get-ref': (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const sha = repo.refs.get(ref);
      if (sha === undefined)
        throw githubError(404, 'Not Found', `${DOCS}/git/refs#get-a-reference`);
      return { body: refJson(repo, ref, sha) };
    },
    'git/create-ref': (request) => {
      const repo = server().repo(request);
      const { ref, sha } = body(request) as { ref: string; sha: string };
      if (!ref.startsWith('refs/') || ref.split('/').length < 3)
        throw githubError(
          422,
          "Reference name must start with 'refs/' and have at least two slashes.",
        );
      const short = ref.slice('refs/'.length);
      if (repo.refs.has(short))
        throw githubError(422, 'Reference already exists', `${DOCS}/git/refs#create-a-reference`);
      if (!repo.commits.has(sha)) throw githubError(422, 'Object does not exist');
      repo.refs.set(short, sha);
      return { status: 201, body: refJson(repo, short, sha) };
    },
    'git/update-ref': (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const { sha, force } = body(request) as { sha: string; force?: boolean };
      const current = repo.refs.get(ref);
      if (current === undefined) throw githubError(422, 'Reference does not exist');
      const commit = repo.commits.get(sha);
      if (commit === undefined) throw githubError(422, 'Object does not exist');
      if (force !== true && !commit.parents.includes(current) && sha !== current)
        throw githubError(422, 'Update is not a fast forward');
      repo.refs.set(ref, sha);
      return { body: refJson(repo, ref, sha) };
    },
    'git/delete-ref': (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      if (!repo.refs.delete(ref)) throw githubError(422, 'Reference does not exist');
      return { status: 204 };
    },
    'git/get-commit': (request) => {
      const repo = server().repo(request);
      const commit = repo.commits.get(param(request, 'commit_sha'));
      if (commit === undefined) throw githubError(404, 'Not Found');
      return {
        body: {
          sha: commit.sha,
          message: commit.message,
          tree: { sha: commit.tree, url: '' },
          parents: commit.parents.map((sha) => ({ sha, url: '', html_url: '' })),
          html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${commit.sha}`,
        },
      };
    },
    'git/create-commit': (request) => {
      const repo = server().repo(request);
      const {
        message,
        tree,
        parents = [],
      } = body(request) as { message: string; tree: string; parents?: string[] };
      if (!repo.trees.has(tree)) throw githubError(422, 'Tree SHA does not exist');
      for (const parent of parents)
        if (!repo.commits.has(parent))
          throw githubError(422, 'Parent SHA does not exist or is not a commit object');
      const sha = repo.writeCommit(tree, parents, message);
      return {
        status: 201,
        body: {
          sha,
          message,
          tree: { sha: tree },
          parents: parents.map((p) => ({ sha: p })),
          html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${sha}`,
        },
      };
    },
    'git/create-tree': (request) => {
      const repo = server().repo(request);
      const { tree, base_tree } = body(request) as {
        tree: { path: string; mode: string; content?: string; sha?: string | null }[];
        base_tree?: string;
      };
      const base = base_tree === undefined ? new Map() : repo.trees.get(base_tree);
      if (base === undefined) throw githubError(422, 'base_tree is not a valid tree oid');
      for (const entry of tree)
        if (entry.content !== undefined && entry.sha !== undefined)
          throw githubError(422, 'Must supply either tree.sha or tree.content, not both');
      const sha = repo.writeTree(base, tree);
      return { status: 201, body: { sha, url: '', tree: [], truncated: false } };
    },
    'git/get-tree': (request) => {
      const repo = server().repo(request);
      const tree = repo.treeOf(param(request, 'tree_sha'));
      if (tree === undefined) throw githubError(404, 'Not Found');
      const recursive = request.query.recursive !== undefined;
      const directories = new Set<string>();
      const entries = [];
      for (const [path, entry] of tree) {
        const parts = path.split('/');
        for (let i = 1; i < parts.length; i++) directories.add(parts.slice(0, i).join('/'));
        if (recursive || parts.length === 1)
          entries.push({
            path,
            mode: entry.mode,
            type: 'blob',
            sha: entry.sha,
            size: entry.size,
            url: '',
          });
      }
      for (const dir of directories)
        if (recursive || !dir.includes('/'))
          entries.push({ path: dir, mode: '040000', type: 'tree', sha: 'tree', url: '' });
      return {
        body: { sha: param(request, 'tree_sha'), url: '', tree: entries, truncated: false },
      };
    },
    'repos/get-content': (request) => {
      const repo = server().repo(request);
      const path = param(request, 'path');
      const ref = typeof request.query.ref === 'string' ? request.query.ref : repo.defaultBranch;
      const entry = repo.treeOf(ref)?.get(path);
      if (entry === undefined)
        throw githubError(404, 'Not Found', `${DOCS}/repos/contents#get-repository-content`);
      const content = repo.blobs.get(entry.sha) ?? '';
      return {
        body: {
          type: 'file',
          encoding: 'base64',
          size: entry.size,
          name: path.split('/').at(-1),
          path,
          sha: entry.sha,
          content: Buffer.from(content)
            .toString('base64')
            .replace(/(.{60})/g, '$1\n'),
        },
      };
    },
    'pulls/list': (request) => {
      const repo = server().repo(request);
      const state = request.query.state ?? 'open';
      const head = typeof request.query.head === 'string' ? request.query.head : undefined;
      const pulls = repo.pulls.filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (head === undefined || head === `${repo.owner}:${p.head}`),
      );
      return { body: pulls.map((p) => pullJson(repo, p)) };
    },
    'pulls/create': (request) => {
      const repo = server().repo(request);
      const input = body(request) as {
        title: string;
        head: string;
        base: string;
        body?: string;
        draft?: boolean;
      };
      const head = input.head.includes(':') ? (input.head.split(':')[1] ?? '') : input.head;
      if (!repo.refs.has(`heads/${head}`) || !repo.refs.has(`heads/${input.base}`))
        throw new VendorHttpError(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'PullRequest', field: 'head', code: 'invalid' }],
          documentation_url: DOCS,
        });
      if (repo.pulls.some((p) => p.state === 'open' && p.head === head))
        throw new VendorHttpError(422, {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${repo.owner}:${head}.`,
            },
          ],
          documentation_url: DOCS,
        });
      const pull: PullRequest = {
        number: server().takePullNumber(),
        state: 'open',
        title: input.title,
        body: input.body ?? null,
        head,
        base: input.base,
        draft: input.draft ?? false,
        labels: [],
        reviewers: [],
      };
      repo.pulls.push(pull);
      return { status: 201, body: pullJson(repo, pull) };
    },
    'pulls/update': (request) => {
      const repo = server().repo(request);
      const pull = repo.pulls.find((p) => p.number === Number(param(request, 'pull_number')));
      if (pull === undefined) throw githubError(404, 'Not Found');
      const { state } = body(request) as { state?: 'open' | 'closed' };
      if (state !== undefined) pull.state = state;
      return { body: pullJson(repo, pull) };
    },
    'pulls/request-reviewers': (request) => {
      const repo = server().repo(request);
      const pull = repo.pulls.find((p) => p.number === Number(param(request, 'pull_number')));
      if (pull === undefined) throw githubError(404, 'Not Found');
      pull.reviewers.push(...((body(request).reviewers as string[] | undefined) ?? []));
      return { status: 201, body: pullJson(repo, pull) };
    },
    'issues/add-labels': (request) => {
      const repo = server().repo(request);
      const pull = repo.pulls.find((p) => p.number === Number(param(request, 'issue_number')));
      if (pull === undefined) throw githubError(404, 'Not Found');
      const labels = (body(request).labels as string[] | undefined) ?? [];
      pull.labels.push(...labels.filter((l) => !pull.labels.includes(l)));
      return {
        body: pull.labels.map((name) => ({
          name,
          id: 1,
          node_id: '',
          url: '',
          color: 'ededed',
          default: false,
          description: null,
        })),
      };
    },
  };
}
