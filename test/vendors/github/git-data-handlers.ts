import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Handler, HandlerRequest } from '../kit/vendor-server.js';
import { parseTree, ZERO_SHA, type GitRepository, type TreeEntry } from './git-repository.js';
import { commitJson, DOCS, githubError, refJson } from './github-json.js';
import type { GitHubServer } from './github-server.js';

const param = (request: HandlerRequest, name: string) =>
  decodeURIComponent(request.params[name] ?? '');
const bodyOf = <T>(request: HandlerRequest) => request.body as T;

/** GitHub leaves a file's content out of the contents API above 1 MB (the blob API has it). */
const CONTENT_LIMIT = 1024 * 1024;

/** The git data API (refs, commits, trees, blobs) and the contents API, over the bare repository. */
export function gitDataHandlers(server: () => GitHubServer): Record<string, Handler> {
  return {
    'git/get-ref': async (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const sha = await repo.refSha(ref);
      if (sha === undefined)
        throw githubError(404, 'Not Found', `${DOCS}/git/refs#get-a-reference`);
      return { body: refJson(repo, ref, sha, await repo.typeOf(sha)) };
    },
    'git/create-ref': async (request) => {
      const repo = server().repo(request);
      const { ref, sha } = bodyOf<{ ref: string; sha: string }>(request);
      if (!ref.startsWith('refs/') || ref.split('/').length < 3)
        throw githubError(
          422,
          "Reference name must start with 'refs/' and have at least two slashes.",
        );
      const short = ref.slice('refs/'.length);
      if ((await repo.refSha(short)) !== undefined)
        throw githubError(422, 'Reference already exists', `${DOCS}/git/refs#create-a-reference`);
      if ((await repo.typeOf(sha)) === undefined) throw githubError(422, 'Object does not exist');
      await repo.git(['update-ref', ref, sha, ZERO_SHA]).catch(() => {
        throw githubError(422, 'Reference update failed');
      });
      return { status: 201, body: refJson(repo, short, sha) };
    },
    'git/update-ref': async (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const { sha, force } = bodyOf<{ sha: string; force?: boolean }>(request);
      const current = await repo.refSha(ref);
      if (current === undefined) throw githubError(422, 'Reference does not exist');
      if ((await repo.typeOf(sha)) !== 'commit') throw githubError(422, 'Object does not exist');
      const fastForward = await repo.git(['merge-base', '--is-ancestor', current, sha]).then(
        () => true,
        () => false,
      );
      if (force !== true && !fastForward) throw githubError(422, 'Update is not a fast forward');
      // Compare-and-swap: a push in between makes this fail as GitHub would.
      await repo.git(['update-ref', `refs/${ref}`, sha, current]).catch(() => {
        throw githubError(422, 'Reference cannot be updated');
      });
      return { body: refJson(repo, ref, sha) };
    },
    'git/delete-ref': async (request) => {
      const repo = server().repo(request);
      const ref = param(request, 'ref');
      const current = await repo.refSha(ref);
      if (current === undefined) throw githubError(422, 'Reference does not exist');
      await repo.git(['update-ref', '-d', `refs/${ref}`, current]);
      return { status: 204 };
    },
    'git/get-commit': async (request) => {
      const repo = server().repo(request);
      const commit = await repo.commit(param(request, 'commit_sha'));
      if (commit === undefined) throw githubError(404, 'Not Found');
      return { body: commitJson(repo, commit) };
    },
    'git/create-commit': async (request) => createCommit(server().repo(request), request),
    'git/create-tree': async (request) => createTree(server().repo(request), request),
    'git/get-tree': async (request) => {
      const repo = server().repo(request);
      const recursive = request.query.recursive !== undefined;
      const tree = await repo.tree(param(request, 'tree_sha'), recursive);
      if (tree === undefined) throw githubError(404, 'Not Found');
      return { body: { sha: tree.sha, url: '', tree: treeJson(tree.entries), truncated: false } };
    },
    'git/get-blob': async (request) => {
      const repo = server().repo(request);
      const sha = param(request, 'file_sha');
      const blob = await repo.object(sha);
      if (blob?.type !== 'blob') throw githubError(404, 'Not Found');
      const { content } = blob;
      return {
        body: {
          sha,
          node_id: 'B',
          url: '',
          size: content.length,
          encoding: 'base64',
          content: wrap(content.toString('base64')),
        },
      };
    },
    'git/create-blob': async (request) => {
      const repo = server().repo(request);
      const { content, encoding = 'utf-8' } = bodyOf<{ content: string; encoding?: string }>(
        request,
      );
      const bytes = Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8');
      const written = (await repo.git(['hash-object', '-w', '--stdin'], { input: bytes }))
        .toString()
        .trim();
      return { status: 201, body: { sha: written, url: '' } };
    },
    'repos/get-content': async (request) => getContent(server().repo(request), request),
  };
}

async function createCommit(repo: GitRepository, request: HandlerRequest) {
  type Person = { name?: string; email?: string; date?: string };
  const input = bodyOf<{
    message: string;
    tree: string;
    parents?: string[];
    author?: Person;
    committer?: Person;
  }>(request);
  if ((await repo.typeOf(input.tree)) !== 'tree') throw githubError(422, 'Tree SHA does not exist');
  for (const parent of input.parents ?? [])
    if ((await repo.typeOf(parent)) !== 'commit')
      throw githubError(422, 'Parent SHA does not exist or is not a commit object');
  // Without an author GitHub uses the token's user, and the time of the request.
  const now = new Date().toISOString();
  const author = { name: 'aidev-bot', email: 'aidev-bot@users.noreply.github.com', date: now };
  const who = { ...author, ...input.author };
  const committer = { ...who, ...input.committer };
  const made = (
    await repo.git(
      ['commit-tree', input.tree, ...(input.parents ?? []).flatMap((p) => ['-p', p]), '-F', '-'],
      {
        input: input.message,
        env: {
          GIT_AUTHOR_NAME: who.name,
          GIT_AUTHOR_EMAIL: who.email,
          GIT_AUTHOR_DATE: who.date,
          GIT_COMMITTER_NAME: committer.name,
          GIT_COMMITTER_EMAIL: committer.email,
          GIT_COMMITTER_DATE: committer.date,
        },
      },
    )
  )
    .toString()
    .trim();
  const commit = await repo.commit(made);
  if (commit === undefined) throw new Error(`the commit ${made} just made is missing`);
  return { status: 201, body: commitJson(repo, commit) };
}

type TreeInput = {
  path: string;
  mode: string;
  type?: string;
  content?: string;
  sha?: string | null;
};

/**
 * A tree built in a private index: the base tree's entries, then each change in order — as few
 * git processes as the request allows (every content hashed at once, every sha checked at once,
 * every index change in one `update-index --index-info`), since a request is a handful of them.
 */
async function createTree(repo: GitRepository, request: HandlerRequest) {
  const { tree, base_tree } = bodyOf<{ tree: TreeInput[]; base_tree?: string }>(request);
  if (base_tree !== undefined && (await repo.typeOf(base_tree)) !== 'tree')
    throw githubError(422, 'base_tree is not a valid tree oid');
  for (const entry of tree)
    if (entry.content !== undefined && entry.sha !== undefined)
      throw githubError(422, 'Must supply either tree.sha or tree.content, not both');
  const scratch = await mkdtemp(path.join(tmpdir(), 'aidev-github-index-'));
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
  const git = (args: string[], input?: string | Buffer) =>
    repo.git(args, { env, ...(input === undefined ? {} : { input }) });
  try {
    await git(base_tree === undefined ? ['read-tree', '--empty'] : ['read-tree', base_tree]);
    const hashed = await hashContents(git, scratch, tree);
    const typeOf = await typesOf(
      repo,
      tree.flatMap((e) => (typeof e.sha === 'string' && e.mode !== '160000' ? [e.sha] : [])),
    );
    // The index's paths as the changes go, so that a deletion takes a folder's files too.
    const paths = new Set(
      tree.some((e) => e.sha === null || e.mode === '040000')
        ? (await git(['ls-files', '-z']))
            .toString('utf8')
            .split('\0')
            .filter((p) => p !== '')
        : [],
    );
    const lines: string[] = [];
    const remove = (file: string) => {
      for (const p of [...paths])
        if (p === file || p.startsWith(`${file}/`)) {
          paths.delete(p);
          lines.push(`0 ${ZERO_SHA}\t${p}`);
        }
    };
    for (const [i, entry] of tree.entries()) {
      if (entry.sha === null) {
        remove(entry.path);
        continue;
      }
      const sha = hashed.get(i) ?? entry.sha ?? '';
      const type = entry.mode === '040000' ? 'tree' : entry.mode === '160000' ? 'commit' : 'blob';
      if (type !== 'commit' && !hashed.has(i) && typeOf.get(sha) !== type)
        throw githubError(422, `tree.sha ${sha} is not a valid ${type}`);
      if (type === 'tree') {
        remove(entry.path);
        for (const [file, child] of parseTree(await git(['ls-tree', '-r', '-z', sha]))) {
          paths.add(`${entry.path}/${file}`);
          lines.push(`${child.mode} ${child.sha}\t${entry.path}/${file}`);
        }
      } else {
        paths.add(entry.path);
        lines.push(`${entry.mode} ${sha}\t${entry.path}`);
      }
    }
    if (lines.length > 0) await git(['update-index', '--index-info'], `${lines.join('\n')}\n`);
    const sha = (await git(['write-tree'])).toString().trim();
    const written = parseTree(await git(['ls-tree', '-l', '-z', sha]));
    return { status: 201, body: { sha, url: '', tree: treeJson(written), truncated: false } };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every inline content of a tree request written as a blob, in one git process: index → sha. */
async function hashContents(
  git: (args: string[], input?: string | Buffer) => Promise<Buffer>,
  scratch: string,
  tree: readonly TreeInput[],
): Promise<Map<number, string>> {
  const files: { index: number; file: string }[] = [];
  for (const [index, entry] of tree.entries()) {
    if (entry.content === undefined) continue;
    const file = path.join(scratch, `content-${index}`);
    await writeFile(file, entry.content);
    files.push({ index, file });
  }
  if (files.length === 0) return new Map();
  const shas = (
    await git(
      ['hash-object', '-w', '--no-filters', '--stdin-paths'],
      files.map((f) => f.file).join('\n'),
    )
  )
    .toString('utf8')
    .trim()
    .split('\n');
  return new Map(files.map((f, i) => [f.index, shas[i] ?? '']));
}

/** The type of each of these objects (absent: no such object). */
async function typesOf(repo: GitRepository, shas: readonly string[]): Promise<Map<string, string>> {
  const types = new Map<string, string>();
  for (const sha of new Set(shas)) {
    const type = await repo.typeOf(sha);
    if (type !== undefined) types.set(sha, type);
  }
  return types;
}

async function getContent(repo: GitRepository, request: HandlerRequest) {
  const path = param(request, 'path').replace(/^\/+|\/+$/g, '');
  const ref = typeof request.query.ref === 'string' ? request.query.ref : repo.defaultBranch;
  const notFound = githubError(404, 'Not Found', `${DOCS}/repos/contents#get-repository-content`);
  const item = (name: string, entry: TreeEntry) => ({
    type: entry.type === 'tree' ? 'dir' : entry.mode === '120000' ? 'symlink' : 'file',
    size: entry.size ?? 0,
    name: name.split('/').at(-1) ?? name,
    path: name,
    sha: entry.sha,
    url: '',
    git_url: null,
    html_url: null,
    download_url: null,
    _links: { self: '', git: null, html: null },
  });
  if (path === '') {
    const root = await repo.tree(ref, false);
    if (root === undefined) throw notFound;
    return { body: [...root.entries].map(([name, entry]) => item(name, entry)) };
  }
  const entry = await repo.entry(ref, path);
  if (entry === undefined) throw notFound;
  if (entry.type === 'tree') {
    const listing = await repo.tree(entry.sha, false);
    return {
      body: [...(listing?.entries ?? [])].map(([name, child]) => item(`${path}/${name}`, child)),
    };
  }
  const content = (await repo.object(entry.sha))?.content ?? Buffer.of();
  if (entry.mode === '120000')
    return { body: { ...item(path, entry), target: content.toString('utf8') } };
  const large = content.length > CONTENT_LIMIT;
  return {
    body: {
      ...item(path, entry),
      encoding: large ? 'none' : 'base64',
      content: large ? '' : wrap(content.toString('base64')),
    },
  };
}

function treeJson(entries: ReadonlyMap<string, TreeEntry>) {
  return [...entries].map(([path, entry]) => ({
    path,
    mode: entry.mode,
    type: entry.type,
    sha: entry.sha,
    ...(entry.size === undefined ? {} : { size: entry.size }),
    url: '',
  }));
}

/** GitHub wraps base64 content at 60 characters. */
function wrap(base64: string): string {
  return base64.replace(/(.{60})/g, '$1\n');
}
