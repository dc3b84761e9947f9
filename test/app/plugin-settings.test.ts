import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { confluence } from '../../src/adapters/confluence/confluence.js';
import { github } from '../../src/adapters/github/github.js';
import { jira } from '../../src/adapters/jira/jira.js';
import { BUILT_IN_PLUGINS, pluginSettings } from '../../src/app/plugins.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { PluginDefinition } from '../../src/plugins/plugin.js';

const cwd = await mkdtemp(path.join(tmpdir(), 'aidev-plugin-settings-'));

describe('plugin choice and settings', () => {
  it('uses the embedded defaults when no service is configured', () => {
    const { choices } = loadConfig({ env: {}, cwd }).plugins;
    expect(Object.fromEntries(Object.entries(choices).map(([type, c]) => [type, c.use]))).toEqual({
      task_management: 'local',
      version_control: 'local_git',
      documentation: 'local_docs',
      communication: 'console',
    });
  });

  it('uses GitHub when GITHUB_TOKEN is set, with the token and API URL from the environment', () => {
    const config = loadConfig({
      env: {
        GITHUB_TOKEN: 'ghp_fromEnvironment',
        GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      },
      cwd,
    });
    expect(config.plugins.choices.version_control.use).toBe('github');
    expect(pluginSettings(github as PluginDefinition, { owner: 'acme' }, config)).toEqual({
      token: 'ghp_fromEnvironment',
      api_url: 'https://ghe.example.com/api/v3',
      owner: 'acme',
    });
    expect(BUILT_IN_PLUGINS.some((p) => p.name === 'github')).toBe(true);
  });

  it('uses Confluence when CONFLUENCE_URL is set, with its credentials from the environment', () => {
    const config = loadConfig({
      env: {
        CONFLUENCE_URL: 'https://acme.atlassian.net',
        CONFLUENCE_EMAIL: 'bot@acme.example',
        CONFLUENCE_API_TOKEN: 'atlassian-token-123',
      },
      cwd,
    });
    expect(config.plugins.choices.documentation.use).toBe('confluence');
    expect(pluginSettings(confluence as PluginDefinition, { space: 'ENG' }, config)).toEqual({
      url: 'https://acme.atlassian.net',
      email: 'bot@acme.example',
      api_token: 'atlassian-token-123',
      space: 'ENG',
    });
  });

  it('uses Jira when JIRA_URL is set: Data Center with a personal access token', () => {
    const config = loadConfig({
      env: { JIRA_URL: 'https://jira.acme.example', JIRA_PAT: 'jira-personal-token-1' },
      cwd,
    });
    expect(config.plugins.choices.task_management.use).toBe('jira');
    expect(pluginSettings(jira as PluginDefinition, {}, config)).toEqual({
      url: 'https://jira.acme.example',
      pat: 'jira-personal-token-1',
    });
  });

  it('keeps the settings file’s choice over the environment', async () => {
    const file = path.join(cwd, 'choice.yaml');
    await writeFile(file, 'plugins:\n  version_control:\n    use: local_git\n');
    const config = loadConfig({ env: { GITHUB_TOKEN: 'ghp_long_enough' }, cwd, configFile: file });
    expect(config.plugins.choices.version_control.use).toBe('local_git');
  });

  it('refuses a secret in the settings file, naming the variable to set instead', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(() =>
      pluginSettings(github as PluginDefinition, { token: 'ghp_pasted_here' }, config),
    ).toThrow(
      'plugins.version_control.settings.token: secrets are not read from the settings file; set GITHUB_TOKEN instead',
    );
  });
});
