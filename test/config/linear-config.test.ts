import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PLUGINS, pluginSettings } from '../../src/app/plugins.js';
import { integrationChecks } from '../../src/cli/integration-checks.js';
import { loadConfig } from '../../src/config/load-config.js';

const KEY = 'lin_api_0123456789abcdefghij';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'aidev-linear-config-'));
});

const check = (env: Record<string, string>) =>
  integrationChecks(loadConfig({ env, cwd }), undefined).find((c) => c.name === 'linear');

describe('linear configuration', () => {
  it('config check says whether Linear is set up and used, never showing the key', () => {
    expect(check({})).toEqual({
      name: 'linear',
      status: 'info',
      detail: 'not configured (LINEAR_API_KEY or LINEAR_ACCESS_TOKEN)',
    });
    expect(check({ LINEAR_API_KEY: KEY })).toEqual({
      name: 'linear',
      status: 'ok',
      detail:
        'personal API key set, API at https://api.linear.app/graphql; /linear/webhooks off (set LINEAR_WEBHOOK_SECRET to start work from Linear)',
    });
    expect(check({ LINEAR_API_KEY: KEY, LINEAR_WEBHOOK_SECRET: 'whsec-linear' })?.detail).toBe(
      'personal API key set, API at https://api.linear.app/graphql; /linear/webhooks on (LINEAR_WEBHOOK_SECRET set)',
    );
    const shadowed = check({
      LINEAR_API_KEY: KEY,
      JIRA_URL: 'https://jira.example.com',
      JIRA_PAT: 'pat-1234567890',
    });
    expect(shadowed).toMatchObject({ status: 'warn' });
    expect(shadowed?.detail).toMatch(/the task tracker is jira \(JIRA_URL wins\).*use: linear/);
    expect(JSON.stringify(check({ LINEAR_API_KEY: KEY }))).not.toContain(KEY);
  });

  it('config check says whether work can start from Jira or Linear (the webhook secret), never showing it', () => {
    const jira = (env: Record<string, string>) =>
      integrationChecks(
        loadConfig({
          env: { JIRA_URL: 'https://jira.example.com', JIRA_PAT: 'pat-12345', ...env },
          cwd,
        }),
        undefined,
      ).find((c) => c.name === 'jira');
    expect(jira({})?.detail).toMatch(
      /\/jira\/webhooks off \(set JIRA_WEBHOOK_SECRET to start work from Jira\)$/,
    );
    const on = jira({ JIRA_WEBHOOK_SECRET: 'jira-hook-secret' });
    expect(on?.detail).toMatch(/\/jira\/webhooks on \(JIRA_WEBHOOK_SECRET set\)$/);
    expect(JSON.stringify(on)).not.toContain('jira-hook-secret');
  });

  it('hands the environment’s key and URL to the plugin, and refuses a key in the settings file', () => {
    const config = loadConfig({
      env: { LINEAR_API_KEY: KEY, LINEAR_API_URL: 'http://127.0.0.1:4000/graphql' },
      cwd,
    });
    const linear = BUILT_IN_PLUGINS.find((p) => p.name === 'linear')!;
    expect(pluginSettings(linear, { team: 'ENG' }, config)).toEqual({
      api_key: KEY,
      api_url: 'http://127.0.0.1:4000/graphql',
      team: 'ENG',
    });
    expect(() => pluginSettings(linear, { api_key: KEY }, config)).toThrow(
      /plugins\.task_management\.settings\.api_key: secrets are not read from the settings file; set LINEAR_API_KEY instead/,
    );
  });
});
