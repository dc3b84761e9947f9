import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgliteDataDir } from '../support/backends.js';
import { runInProcess } from '../support/cli.js';
import { GitHubServer } from '../vendors/github/github-server.js';

const TOKEN = 'ghp_configCheckToken0123456789';
let github: GitHubServer;

beforeAll(async () => {
  github = await GitHubServer.start({ token: TOKEN });
});
afterAll(async () => {
  await github.close();
});

describe('aidev config check, plugin health', () => {
  it('connects each configured plugin and reports it healthy', async () => {
    const dataDir = await createPgliteDataDir();
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: dataDir, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url },
      dataDir,
    );
    expect(result.stdout).toContain(
      `✓ version_control  github: signed in to ${github.url} as aidev-bot`,
    );
    expect(result.stdout).toMatch(/✓ task_management {2}local: local tracker/);
    expect(github.http.violations).toEqual([]);
  });

  it('fails on a plugin that cannot sign in, in one line and without the token', async () => {
    const dataDir = await createPgliteDataDir();
    const wrong = 'ghp_wrongToken0123456789abcdef';
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: dataDir, GITHUB_TOKEN: wrong, GITHUB_API_URL: github.url },
      dataDir,
    );
    expect(result.code).toBe(1);
    const failures = result.stdout.split('\n').filter((line) => line.includes('✗'));
    expect(failures).toEqual([
      '  ✗ version_control  github: could not connect: GitHub GET /user answered 401: Bad credentials',
    ]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(wrong);
  });
});

describe('aidev config check on a fresh data directory (migrations pending)', () => {
  it('still connects the plugins, and does not claim that every check passed', async () => {
    const dataDir = path.join(await mkdtemp(path.join(inject('scratchDir'), 'fresh-')), 'data');
    const result = await runInProcess(
      ['config', 'check'],
      { AIDEV_DATA_DIR: dataDir, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url },
      path.dirname(dataDir),
    );
    expect(result.stdout).toMatch(/! schema +\d+ pending migration\(s\)/);
    expect(result.stdout).toContain(
      `✓ version_control  github: signed in to ${github.url} as aidev-bot`,
    );
    expect(github.http.count()).toBeGreaterThan(0);
    // What it could not check without the schema is said, and the summary does not hide it.
    expect(result.stdout).toMatch(/- jobs +not checked: .*pending migration/);
    expect(result.stdout).toMatch(
      /- task_management +local: not checked: it keeps its data in aidev's database/,
    );
    expect(result.stdout).not.toContain('All checks passed');
    expect(result.stdout).toMatch(/No check failed; 2 not run/);
    expect(result.code).toBe(0);
  });

  it('fails on a plugin that cannot connect even while migrations are pending', async () => {
    const dataDir = path.join(await mkdtemp(path.join(inject('scratchDir'), 'fresh-')), 'data');
    const result = await runInProcess(
      ['config', 'check'],
      {
        AIDEV_DATA_DIR: dataDir,
        GITHUB_TOKEN: 'ghp_wrongToken0123456789abcdef',
        GITHUB_API_URL: github.url,
      },
      path.dirname(dataDir),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '✗ version_control  github: could not connect: GitHub GET /user answered 401',
    );
    expect(result.stdout).not.toContain('All checks passed');
  });
});
