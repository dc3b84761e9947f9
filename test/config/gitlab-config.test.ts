import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS, pluginSettings } from '../../src/app/plugins.js';
import { integrationChecks } from '../../src/cli/integration-checks.js';
import { loadConfig } from '../../src/config/load-config.js';

const TOKEN = 'glpat-configTest0123456789';
let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'aidev-gitlab-config-'));
});
const gitlab = BUILT_IN_PLUGINS.find((p) => p.name === 'gitlab');
const check = (env: Record<string, string>) =>
  integrationChecks(loadConfig({ env, cwd }), undefined).find((c) => c.name === 'gitlab');

describe('GitLab settings', () => {
  it('chooses GitLab when GITLAB_TOKEN is set, with GitLab.com unless GITLAB_URL says otherwise', () => {
    const config = loadConfig({ env: { GITLAB_TOKEN: TOKEN }, cwd });
    expect(config.plugins.choices.version_control.use).toBe('gitlab');
    expect(config.secrets).toContain(TOKEN);
    expect(pluginSettings(gitlab ?? fail(), {}, config)).toEqual({
      token: TOKEN,
      url: 'https://gitlab.com',
    });
    const selfManaged = loadConfig({
      env: { GITLAB_TOKEN: TOKEN, GITLAB_URL: 'https://git.acme.test' },
      cwd,
    });
    expect(pluginSettings(gitlab ?? fail(), {}, selfManaged)).toMatchObject({
      url: 'https://git.acme.test',
    });
  });

  it('lets GitHub credentials win, and the settings file choose GitLab all the same', async () => {
    const both = { GITLAB_TOKEN: TOKEN, GITHUB_TOKEN: 'ghp_configTest0123' };
    expect(loadConfig({ env: both, cwd }).plugins.choices.version_control.use).toBe('github');
    expect(check(both)?.status).toBe('warn');
    expect(check(both)?.detail).toContain('GitHub credentials win');
    await writeFile(
      path.join(cwd, 'aidev.config.yaml'),
      'plugins:\n  version_control:\n    use: gitlab\n    settings: { owner: acme }\n',
    );
    const chosen = loadConfig({ env: both, cwd });
    expect(chosen.plugins.choices.version_control).toEqual({
      use: 'gitlab',
      settings: { owner: 'acme' },
    });
    expect(check(both)?.status).toBe('ok');
  });

  it('refuses a token written in the settings file, naming the variable to set', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(() => pluginSettings(gitlab ?? fail(), { token: TOKEN }, config)).toThrow(
      'plugins.version_control.settings.token: secrets are not read from the settings file; set GITLAB_TOKEN instead',
    );
  });

  it('says in config check whether webhooks can be received', () => {
    expect(check({})).toMatchObject({ status: 'info', detail: 'not configured (GITLAB_TOKEN)' });
    expect(check({ GITLAB_TOKEN: TOKEN })?.detail).toContain('set GITLAB_WEBHOOK_SECRET');
    expect(check({ GITLAB_TOKEN: TOKEN, GITLAB_WEBHOOK_SECRET: 's3cret-hook' })?.detail).toBe(
      'token set, https://gitlab.com, webhook secret set',
    );
  });
});

function fail(): never {
  throw new Error('no gitlab plugin');
}
