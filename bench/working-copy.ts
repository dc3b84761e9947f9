/**
 * Starting the development agent's working copy on a large repository: a generated repository
 * (5,000 files by default; BENCH_FILES to change) on the local GitHub server, reached through
 * the real github plugin as aidev wires it (createApp: the shared 5 requests/s guard on the
 * embedded database). Reports the requests GitHub saw — REST calls, which count against the
 * token's hourly quota and the guard's rate, apart from git's smart HTTP — the seconds until
 * the working copy was ready, and whether it holds every file of the repository byte for byte
 * with its mode (an executable script, a symbolic link and a binary file are among them).
 *
 *   nice npm run bench -- working-copy
 *   BENCH_FILES=200 npm run bench -- working-copy
 *
 * Before check_out (one repos.getContent per file, issue 15): 200 files → 193 REST requests in
 * 37.2 s; 5,000 files → about 4,992 requests, about 1,000 s at 300 a minute.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkOutWorkingCopy } from '../src/agents/working-copy-session.js';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import type { ActionRunner, AgentCall } from '../src/engine/runners.js';
import { silentLogger } from '../src/log/create-logger.js';
import { RegistryActionRunner } from '../src/plugins/registry-action-runner.js';
import { agentRun } from '../test/support/agent-call.js';
import type { RepositoryFile } from '../test/vendors/github/git-repository.js';
import { GitHubServer } from '../test/vendors/github/github-server.js';
import { generateRepository } from './support/generated-repository.js';
import { githubTraffic } from './support/github-traffic.js';
import { table } from './support/measure.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const FILES = Number(process.env.BENCH_FILES ?? 5_000);
const TOKEN = 'ghp_aidevBenchToken0123456789abcdefABCDEF';
const REPOSITORY = 'acme/shop';
/** The run's branch, made from main before the step starts (as the workflow's branch step does). */
const BRANCH = 'aidev/BENCH-1';

/** Which way of making the working copy is measured (shown in the report). */
const PATH = 'checkOutWorkingCopy (check_out: a shallow git clone over smart HTTP)';

/** Files whose mode or bytes a copy through text would lose. */
const SPECIAL_FILES: Readonly<Record<string, RepositoryFile>> = {
  'scripts/release.sh': { content: '#!/bin/sh\nset -eu\nnpm run build\n', executable: true },
  'bin/release': { symlink: '../scripts/release.sh' },
  'assets/logo.png': Buffer.concat(
    Array.from({ length: 64 }, (_, i) => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, i, 255, 13, 10])),
  ),
};

/**
 * Makes the step's working copy of `repository` at `ref`: the one thing this benchmark measures.
 * Today: the development agent's own way — the plugin's check_out into the step's directory,
 * then aidev's private copy of its git directory. Returns the working copy's directory.
 */
async function prepareWorkingCopy(step: {
  actions: ActionRunner;
  call: AgentCall;
  repository: string;
  ref: string;
  dataDir: string;
}): Promise<string> {
  return (await checkOutWorkingCopy(step)).copy.directory;
}

/** git's id of a blob with these bytes. */
const blobId = (bytes: Buffer) =>
  createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');

/**
 * Every file under `directory` (its `.git` aside) as git would record it: mode (100644, 100755,
 * 120000 for a link) and blob id of its bytes (a link's: its target).
 */
async function filesIn(directory: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(directory, { recursive: true })) {
    if (entry === '.git' || entry.startsWith(`.git${path.sep}`)) continue;
    const full = path.join(directory, entry);
    const stat = await lstat(full);
    const name = entry.split(path.sep).join('/');
    if (stat.isSymbolicLink())
      found.set(name, `120000 ${blobId(Buffer.from(await readlink(full)))}`);
    else if (stat.isFile())
      found.set(
        name,
        `${(stat.mode & 0o100) === 0 ? '100644' : '100755'} ${blobId(await readFile(full))}`,
      );
  }
  return found;
}

/** Prints what has been sent so far, every minute, so that a long run shows it is alive. */
function heartbeat(server: GitHubServer, from: number, started: number): () => void {
  const timer = setInterval(() => {
    const { rest, git } = githubTraffic(server.http.requests.slice(from), server.gitRequests);
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`  … ${seconds} s: ${rest} REST requests, ${git} git requests so far`);
  }, 60_000);
  return () => clearInterval(timer);
}

export async function run(): Promise<void> {
  const repositoryFiles: Record<string, RepositoryFile> = {
    ...generateRepository({ files: FILES - Object.keys(SPECIAL_FILES).length }),
    ...SPECIAL_FILES,
  };
  const fileCount = Object.keys(repositoryFiles).length;
  const bytes = Object.values(repositoryFiles).reduce<number>(
    (n, file) =>
      n +
      (typeof file === 'string' || Buffer.isBuffer(file)
        ? Buffer.byteLength(file)
        : 'symlink' in file
          ? Buffer.byteLength(file.symlink)
          : Buffer.byteLength(file.content)),
    0,
  );
  const github = await GitHubServer.start({ token: TOKEN });
  const repo = github.createRepository(REPOSITORY, repositoryFiles);
  repo.setBranch(BRANCH, repo.refs.get('heads/main') ?? '');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-bench-working-copy-'));
  const config = loadConfig({
    env: { AIDEV_DATA_DIR: scratch, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url },
    cwd: ROOT,
  });
  const logger = silentLogger();
  const app = await createApp({ config, logger, cwd: ROOT });
  try {
    const { call } = await agentRun(app.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    console.log(
      `\nWorking copy of ${REPOSITORY} at ${BRANCH}: ${fileCount} files, ${(bytes / 1e6).toFixed(1)} MB, through the github plugin (shared guard: 5 requests/s)\n  measured: ${PATH}`,
    );
    const from = github.http.requests.length;
    github.gitRequests.length = 0;
    const started = performance.now();
    const stop = heartbeat(github, from, started);
    let directory: string;
    try {
      directory = await prepareWorkingCopy({
        actions: new RegistryActionRunner(app.plugins),
        call: call({ mode: 'implement', repository: REPOSITORY, branch: BRANCH }),
        repository: REPOSITORY,
        ref: BRANCH,
        dataDir: config.dataDir,
      });
    } finally {
      stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const traffic = githubTraffic(github.http.requests.slice(from), github.gitRequests);

    // The repository as git serves it, path → "mode blob-id", against the working copy's files.
    const expected = new Map(
      [...repo.entriesAt(BRANCH)].map(([file, entry]) => [file, `${entry.mode} ${entry.sha}`]),
    );
    const copy = await filesIn(directory);
    const identical = [...copy].filter(([file, id]) => expected.get(file) === id).length;
    const differing = [...copy].filter(
      ([file, id]) => expected.has(file) && expected.get(file) !== id,
    );
    const missing = [...expected.keys()].filter((file) => !copy.has(file));
    const extra = [...copy.keys()].filter((file) => !expected.has(file));
    console.log(
      `\n${table(
        [
          'repository files',
          'REST requests',
          'git requests',
          'other requests',
          'seconds to ready',
          'files in copy',
          'identical (bytes and mode)',
        ],
        [
          [
            String(expected.size),
            String(traffic.rest),
            String(traffic.git),
            String(traffic.other),
            seconds.toFixed(1),
            String(copy.size),
            String(identical),
          ],
        ],
      )}\n`,
    );
    console.log(
      table(
        ['request', 'count'],
        [
          ...[...traffic.byOperation]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([op, n]) => [`REST ${op}`, String(n)]),
          ...[...traffic.byGitService]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([service, n]) => [service, String(n)]),
        ],
      ),
    );
    const special = Object.keys(SPECIAL_FILES).map(
      (file) => `${file}: ${copy.get(file)?.split(' ')[0] ?? 'missing'}`,
    );
    console.log(`\nmodes in the copy: ${special.join(', ')}`);
    for (const [what, files] of [
      ['differing from the repository', differing.map(([file]) => file)],
      ['not in the copy', missing],
      ['in the copy only', extra],
    ] as const)
      if (files.length > 0)
        console.log(
          `\n${what} (${files.length}): ${files.slice(0, 10).join(', ')}${files.length > 10 ? ', …' : ''}`,
        );
    if (github.http.violations.length > 0)
      console.log(`\nGitHub API violations: ${github.http.violations.slice(0, 5).join('\n')}`);
  } finally {
    await app.stop();
    await github.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
