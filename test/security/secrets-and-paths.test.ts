import { createServer, type Server } from 'node:http';
import { cp, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { git } from '../../src/git/git.js';
import { DEMO_PROJECT, DEMO_TASK } from '../../src/demo/sample-project.js';
import { describeEachBackend } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { runInProcess } from '../support/cli.js';
import { capturingLogger } from '../support/logger.js';
import { startApi, type ApiHarness } from '../http/support/api-harness.js';

/** A Jira API token with characters that change under URL encoding. */
const TOKEN = 'ATATT3xFf/Gs+Stored=Jira~Token!9zQ';
const EMAIL = 'dev@example.com';
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');
/** Every form in which the vendor below echoes the stored token. */
const FORMS = {
  raw: TOKEN,
  basic: BASIC,
  base64: Buffer.from(TOKEN).toString('base64'),
  urlEncoded: encodeURIComponent(TOKEN),
};

/**
 * A Jira that refuses every request and quotes the credentials it was sent — as real services
 * and proxies do in error bodies — raw, URL-encoded, in base64 and as the Basic header.
 */
async function startEchoingJira(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const header = request.headers.authorization ?? '';
    const pair = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8');
    const token = pair.slice(pair.indexOf(':') + 1);
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        errorMessages: [
          `ECHO: ${header} was refused; token ${token}, ?t=${encodeURIComponent(token)}, b64 ${Buffer.from(token).toString('base64')}`,
        ],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describeEachBackend('a channel’s stored credentials echoed by a vendor', (database) => {
  let jira: { url: string; server: Server };
  let api: ApiHarness;
  const logLines: string[] = [];

  beforeAll(async () => {
    jira = await startEchoingJira();
    api = await startApi({ database: database() });
  });
  afterAll(async () => {
    await api.stop();
    jira.server.close();
  });

  it('never reach the log, the API answer or the plugin health, in any encoding', async () => {
    const saved = await api.call<{ health?: { ok: boolean; detail: string } }>(
      'PUT',
      '/plugins/task_management/jira/config?channel=C-LEAK',
      { body: { settings: { url: jira.url, email: EMAIL }, secrets: { api_token: TOKEN } } },
    );
    expect(saved.status).toBe(200);
    // A restart opens the stored credentials and connects: the vendor's refusal is logged.
    logLines.push(...api.logLines);
    await api.stop();
    api = await startApi({ database: api.database, dataDir: api.dataDir });
    const plugins = await api.call<{ items: { scope: string; detail: string }[] }>(
      'GET',
      '/plugins',
    );
    logLines.push(...api.logLines);

    const log = logLines.join('\n');
    // The vendor's words did reach the log and the answers, with the credentials cut out.
    expect(log).toContain('ECHO: Basic');
    const answers = JSON.stringify([saved.body, plugins.body]);
    expect(answers).toContain('ECHO: Basic');
    for (const [form, value] of Object.entries(FORMS)) {
      expect(log.includes(value), `the log holds the ${form} token`).toBe(false);
      expect(answers.includes(value), `an API answer holds the ${form} token`).toBe(false);
    }
  });
});

describeEachBackend(
  'a channel’s own local_git configuration, stored through the API',
  (database) => {
    let api: ApiHarness;
    beforeAll(async () => {
      api = await startApi({ database: database() });
    });
    afterAll(() => api.stop());

    it('cannot move the repositories directory out of the data directory', async () => {
      const saved = await api.call<{ health?: { ok: boolean; detail: string } }>(
        'PUT',
        '/plugins/version_control/local_git/config?channel=C-ROOT',
        { body: { settings: { repositories_dir: '/' } } },
      );
      expect(saved.body.health?.ok).toBe(false);
      expect(api.logLines.join('\n')).toContain(
        `local_git.repositories_dir: expected a directory inside ${path.join(api.dataDir, 'repos')}, found /`,
      );
      const plugins = await api.call<{ items: { scope: string; healthy: boolean }[] }>(
        'GET',
        '/plugins',
      );
      expect(plugins.body.items.find((p) => p.scope === 'C-ROOT')?.healthy).toBe(false);
    });
  },
);

describe('secrets from the environment', () => {
  it('are scrubbed in their Basic-auth, base64, URL- and form-encoded forms too', () => {
    const envToken = 'ATATT3xEnv/Token+From=Environment';
    const { logger, lines } = capturingLogger({ secrets: [envToken] });
    const basic = Buffer.from(`ops@example.com:${envToken}`).toString('base64');
    logger.warn(
      {
        vendor: `Authorization: Basic ${basic}`,
        query: `?t=${encodeURIComponent(envToken)}&f=${new URLSearchParams({ f: envToken }).toString()}`,
        alone: Buffer.from(envToken).toString('base64url'),
      },
      'the vendor answered',
    );
    const line = lines.join('\n');
    for (const form of [
      basic,
      encodeURIComponent(envToken),
      new URLSearchParams({ f: envToken }).toString(),
      Buffer.from(envToken).toString('base64url'),
    ])
      expect(line).not.toContain(form);
    expect(line).toContain('Authorization: Basic ');
  });
});

/** A git repository with one commit, at `dir`. */
async function gitRepository(dir: string, source?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (source === undefined) await writeFile(path.join(dir, 'SECRET.md'), 'not for the model\n');
  else await cp(source, dir, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: dir });
  await git(['add', '--all'], { cwd: dir });
  await git(['commit', '--quiet', '-m', 'Initial commit'], { cwd: dir });
}

const branches = async (repo: string) => (await git(['branch', '--list'], { cwd: repo })).trim();

describeEachBackend('local_git repositories named in /aidev implement', (database) => {
  let scratch: string;
  let dataDir: string;
  let outside: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(inject('scratchDir'), 'confine-'));
    dataDir = database().env.AIDEV_DATA_DIR ?? path.join(scratch, 'data');
    outside = path.join(scratch, 'elsewhere', 'other-project');
    await gitRepository(outside, path.join(REPO_ROOT, 'demo/sample-repository'));
    await gitRepository(path.join(dataDir, 'outside-sibling'));
    await mkdir(path.join(dataDir, 'repos'), { recursive: true });
    await symlink(outside, path.join(dataDir, 'repos', 'escape'));
    // The demo's task, so that the recorded demo conversation answers for the model.
    const seed = path.join(scratch, 'tasks.yaml');
    await writeFile(
      seed,
      stringify({ projects: [{ key: DEMO_PROJECT, name: 'Shop', tasks: [{ ...DEMO_TASK }] }] }),
    );
    env = { ...database().env, AIDEV_DATA_DIR: dataDir, AIDEV_CONFIG: await configFile(seed) };
  });

  async function configFile(seed: string, extra = ''): Promise<string> {
    const file = path.join(scratch, `aidev${extra === '' ? '' : '-allowing'}.config.yaml`);
    await writeFile(
      file,
      `jobs:\n  poll_interval: 100ms\nplugins:\n  task_management:\n    use: local\n    settings:\n      seed_file: ${seed}\n${extra}`,
    );
    return file;
  }

  /** `aidev implement DEMO-1 --repo …` as a person runs it; its exit code and its run's error. */
  async function implement(repo: string, environment = env) {
    const result = await runInProcess(
      ['implement', `${DEMO_PROJECT}-1`, '--repo', repo, '--yes', '--json'],
      environment,
      REPO_ROOT,
    );
    const last = result.stdout.trim().split('\n').at(-1) ?? '{}';
    const outcome = JSON.parse(last) as { status?: string; error?: { message: string } };
    return { code: result.code, outcome, output: result.stdout + result.stderr };
  }

  it('refuses an absolute path, a path that climbs out with `..`, and a symlink that leads out', async () => {
    const root = path.join(dataDir, 'repos');
    for (const [repo, why] of [
      [outside, 'an absolute path outside the repositories directory is not allowed'],
      [`${root}/../../elsewhere/other-project`, 'an absolute path outside the repositories'],
      ['../outside-sibling', '`..` is not allowed in a name'],
      ['escape', `it leads to ${outside} through a symbolic link`],
    ] as const) {
      const { code, outcome, output } = await implement(repo);
      expect(code, output).toBe(1);
      const message = outcome.error?.message ?? '';
      expect(message).toContain(`repository ${JSON.stringify(repo)}: ${why}`);
      expect(message).toContain(`expected the name of a repository in ${root}`);
      if (!repo.startsWith('..'))
        expect(message).toContain('local_git.allowed_paths in aidev.config.yaml');
    }
    expect(await branches(outside)).toBe('* main');
    expect(await branches(path.join(dataDir, 'outside-sibling'))).toBe('* main');
  }, 120_000);

  it('accepts a repository the settings file allows by absolute path', async () => {
    const seed = path.join(scratch, 'tasks.yaml');
    const allowing = await configFile(
      seed,
      `local_git:\n  allowed_paths: [${path.dirname(outside)}]\n`,
    );
    const { outcome, output } = await implement(outside, { ...env, AIDEV_CONFIG: allowing });
    // The run read it and branched in it (the recorded conversation, made for the demo's
    // repository name, ends the run later; that is not what this test is about).
    expect(output).toContain('"message":"analyse_repository succeeded"');
    expect(output).toContain('"message":"create_branch succeeded"');
    expect(outcome.error?.message ?? '').not.toContain('repository "');
    expect(await branches(outside)).toContain('aidev/DEMO-1');
  }, 120_000);
});
