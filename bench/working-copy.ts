/**
 * Starting the development agent's working copy on a large repository: a generated repository
 * (5,000 files by default; BENCH_FILES to change) on the local GitHub server, reached through
 * the real github plugin as aidev wires it (createApp: the shared 5 requests/s guard on the
 * embedded database). Reports the requests GitHub saw — REST calls, which count against the
 * token's hourly quota and the guard's rate, apart from git's smart HTTP — the seconds until
 * the working copy was ready, and how many files it holds (and how many match the repository).
 *
 *   nice npm run bench -- working-copy            (issue 15: ~17 minutes with today's copy)
 *   BENCH_FILES=1000 npm run bench -- working-copy
 */
import { lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { copyRepository, workspaceDirectory } from '../src/agents/repository-copy.js';
import { createApp } from '../src/app/create-app.js';
import { loadConfig } from '../src/config/load-config.js';
import type { ActionRunner, AgentCall } from '../src/engine/runners.js';
import { silentLogger } from '../src/log/create-logger.js';
import { RegistryActionRunner } from '../src/plugins/registry-action-runner.js';
import { agentRun } from '../test/support/agent-call.js';
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
const PATH = 'copyRepository (get_file_tree + read_files)';

/**
 * Makes the step's working copy of `repository` at `ref` in `directory`: the one thing this
 * benchmark measures. Today: the development agent's copy through the version-control plugin
 * (one tree request, one `repos.getContent` per file). To measure another way (e.g. the
 * `check_out` action), change this function and PATH above.
 */
async function prepareWorkingCopy(step: {
  actions: ActionRunner;
  call: AgentCall;
  repository: string;
  ref: string;
  directory: string;
}): Promise<void> {
  await copyRepository(step);
}

/** Files under `directory` (git's own `.git` aside), path → bytes; symlinks count as files. */
async function filesIn(directory: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  for (const entry of await readdir(directory, { recursive: true })) {
    if (entry === '.git' || entry.startsWith(`.git${path.sep}`)) continue;
    const full = path.join(directory, entry);
    const stat = await lstat(full);
    if (stat.isDirectory()) continue;
    found.set(entry.split(path.sep).join('/'), stat.isFile() ? await readFile(full) : Buffer.of());
  }
  return found;
}

/** Prints what has been sent so far, every minute, so that a long run shows it is alive. */
function heartbeat(server: GitHubServer, from: number, started: number): () => void {
  const timer = setInterval(() => {
    const { rest, git } = githubTraffic(server.http.requests.slice(from));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`  … ${seconds} s: ${rest} REST requests, ${git} git requests so far`);
  }, 60_000);
  return () => clearInterval(timer);
}

export async function run(): Promise<void> {
  const repositoryFiles = generateRepository({ files: FILES });
  const bytes = Object.values(repositoryFiles).reduce((n, c) => n + Buffer.byteLength(c), 0);
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
    const { run, call } = await agentRun(app.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    const directory = workspaceDirectory(config.dataDir, run.id, 'implement');
    console.log(
      `\nWorking copy of ${REPOSITORY} at ${BRANCH}: ${Object.keys(repositoryFiles).length} files, ${(bytes / 1e6).toFixed(1)} MB, through the github plugin (shared guard: 5 requests/s)\n  measured: ${PATH}`,
    );
    const from = github.http.requests.length;
    const started = performance.now();
    const stop = heartbeat(github, from, started);
    try {
      await prepareWorkingCopy({
        actions: new RegistryActionRunner(app.plugins),
        call: call({ mode: 'implement', repository: REPOSITORY, branch: BRANCH }),
        repository: REPOSITORY,
        ref: BRANCH,
        directory,
      });
    } finally {
      stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const traffic = githubTraffic(github.http.requests.slice(from));
    const copy = await filesIn(directory);
    const identical = [...copy].filter(([file, content]) => {
      const original = repositoryFiles[file];
      return original !== undefined && content.equals(Buffer.from(original));
    }).length;
    console.log(
      `\n${table(
        [
          'repository files',
          'REST requests',
          'git requests',
          'other requests',
          'seconds to ready',
          'files in copy',
          'identical to repository',
        ],
        [
          [
            String(Object.keys(repositoryFiles).length),
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
        ['REST operation', 'requests'],
        [...traffic.byOperation]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([op, n]) => [op, String(n)]),
      ),
    );
    const left = Object.keys(repositoryFiles).filter((file) => !copy.has(file));
    if (left.length > 0)
      console.log(
        `\nnot in the copy (${left.length}): ${left.slice(0, 10).join(', ')}${left.length > 10 ? ', …' : ''}`,
      );
    if (github.http.violations.length > 0)
      console.log(`\nGitHub API violations: ${github.http.violations.slice(0, 5).join('\n')}`);
  } finally {
    await app.stop();
    await github.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
