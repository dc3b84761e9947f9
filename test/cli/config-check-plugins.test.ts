import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDataDir } from '../support/backends.js';
import { runBin } from '../support/cli.js';
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
    const result = await runBin(
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
    const result = await runBin(
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
