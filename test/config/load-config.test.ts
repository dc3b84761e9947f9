import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/errors/problem.js';

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'aidev-config-'));
});

function problems(env: Record<string, string>, configFile?: string): string[] {
  try {
    loadConfig({ env, cwd, configFile });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

async function settingsFile(text: string): Promise<void> {
  await writeFile(path.join(cwd, 'aidev.config.yaml'), text);
}

describe('environment variables', () => {
  it('defaults to the embedded database in .aidev and the documented values', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(config).toMatchObject({
      dataDir: path.join(cwd, '.aidev'),
      configFile: undefined,
      server: { host: '127.0.0.1', port: 3000 },
      database: { url: undefined, poolSize: 10, connectTimeoutMs: 5_000, autoMigrate: true },
      jobs: { lockLifetimeMs: 30_000, pollIntervalMs: undefined, concurrency: 4 },
      github: { apiUrl: 'https://api.github.com' },
      security: { sandbox: 'auto' },
      log: { level: undefined, format: 'auto' },
      secrets: [],
    });
  });

  it('is frozen all the way down', () => {
    const config = loadConfig({ env: { PORT: '8080' }, cwd });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('names the variable, what was expected and what was found', () => {
    expect(problems({ PORT: 'not-a-port' })).toEqual([
      'PORT: expected a TCP port number from 1 to 65535, found "not-a-port"',
    ]);
    expect(problems({ PORT: '70000' })).toEqual([
      'PORT: expected a TCP port number from 1 to 65535, found "70000"',
    ]);
    expect(problems({ LOG_LEVEL: 'loud' })).toEqual([
      'LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, found "loud"',
    ]);
    expect(problems({ GITHUB_API_URL: 'github.example.com' })).toEqual([
      'GITHUB_API_URL: expected an http(s) URL such as https://github.example.com/api/v3, found "github.example.com"',
    ]);
  });

  it('reports every problem at once', () => {
    expect(problems({ PORT: 'x', AIDEV_SANDBOX: 'docker', JIRA_EMAIL: 'nobody' })).toEqual([
      'PORT: expected a TCP port number from 1 to 65535, found "x"',
      'JIRA_EMAIL: expected an email address such as you@example.com, found "nobody"',
      'AIDEV_SANDBOX: expected one of auto, bubblewrap, seatbelt, none, found "docker"',
      'JIRA_URL: expected to be set because JIRA_EMAIL is set (Jira site to call), found nothing',
      'JIRA_API_TOKEN: expected to be set because JIRA_EMAIL is set (Jira Cloud signs in with email + API token), found nothing',
    ]);
  });

  it('never prints a secret, even a malformed one', () => {
    const token = 'xoxp-1234567890-SECRET-VALUE';
    const lines = problems({
      SLACK_BOT_TOKEN: token,
      SLACK_SIGNING_SECRET: 'abc',
      DATABASE_URL: 'mysql://u:pw@h/db',
    });
    expect(lines).toEqual([
      'DATABASE_URL: expected a PostgreSQL URL such as postgres://user:password@localhost:5432/aidev, found a 17-character value (hidden because it is a secret)',
      'SLACK_SIGNING_SECRET: expected the Slack app signing secret (at least 8 characters), found a 3-character value (hidden because it is a secret)',
      'SLACK_BOT_TOKEN: expected a Slack bot token starting with "xoxb-" (at least 8 characters), found a 28-character value (hidden because it is a secret)',
    ]);
    expect(lines.join('\n')).not.toContain('SECRET-VALUE');
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ env: { PORT: '', DATABASE_URL: '  ', SLACK_BOT_TOKEN: '' }, cwd });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
  });

  it('accepts the Jira Server personal access token instead of email and API token', () => {
    const config = loadConfig({
      env: { JIRA_URL: 'https://jira.example.com/', JIRA_PAT: 'pat-1234567890' },
      cwd,
    });
    expect(config.jira).toEqual({
      url: 'https://jira.example.com',
      email: undefined,
      apiToken: undefined,
      pat: 'pat-1234567890',
    });
  });

  it('chooses Linear as the tracker when its API key is set and Jira is not', () => {
    const key = 'lin_api_0123456789abcdef';
    const linear = loadConfig({ env: { LINEAR_API_KEY: key }, cwd });
    expect(linear.plugins.choices.task_management.use).toBe('linear');
    expect(linear.linear).toEqual({ apiKey: key, accessToken: undefined, apiUrl: undefined });
    const both = loadConfig({
      env: {
        LINEAR_API_KEY: key,
        JIRA_URL: 'https://jira.example.com',
        JIRA_PAT: 'pat-1234567890',
      },
      cwd,
    });
    expect(both.plugins.choices.task_management.use).toBe('jira');
    expect(loadConfig({ env: {}, cwd }).plugins.choices.task_management.use).toBe('local');
  });

  it('requires the Slack signing secret for HTTP mode but not for Socket Mode', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-1234567890' })).toEqual([
      'SLACK_SIGNING_SECRET: expected to be set because SLACK_BOT_TOKEN is set (HTTP mode verifies Slack requests with it; or set SLACK_APP_TOKEN for Socket Mode), found nothing',
    ]);
    expect(
      loadConfig({
        env: { SLACK_BOT_TOKEN: 'xoxb-1234567890', SLACK_APP_TOKEN: 'xapp-1234567890' },
        cwd,
      }).slack.appToken,
    ).toBe('xapp-1234567890');
  });

  it('accepts a 256-bit encryption key as hex or base64 only', () => {
    const hex = 'a'.repeat(64);
    const base64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ env: { AIDEV_ENCRYPTION_KEY: hex }, cwd }).security.encryptionKey).toBe(
      hex,
    );
    expect(loadConfig({ env: { AIDEV_ENCRYPTION_KEY: base64 }, cwd }).security.encryptionKey).toBe(
      base64,
    );
    expect(problems({ AIDEV_ENCRYPTION_KEY: 'short-key-123' })[0]).toMatch(
      /^AIDEV_ENCRYPTION_KEY: expected a 256-bit key/,
    );
  });

  it('collects every secret value, including the database password, for log scrubbing', () => {
    const config = loadConfig({
      env: {
        DATABASE_URL: 'postgres://aidev:p%40ss-word@db:5432/aidev',
        GITHUB_TOKEN: 'ghp_abcdefghijkl',
        HOST: '0.0.0.0',
      },
      cwd,
    });
    expect(config.secrets).toEqual(
      expect.arrayContaining([
        'postgres://aidev:p%40ss-word@db:5432/aidev',
        'ghp_abcdefghijkl',
        'p%40ss-word',
        'p@ss-word',
      ]),
    );
    expect(config.secrets).not.toContain('0.0.0.0');
    expect(config.envSet).toEqual(['HOST', 'DATABASE_URL', 'GITHUB_TOKEN']);
  });

  it('takes OTLP header values for secrets, but not a short name such as a tenant', () => {
    const headers = 'x-honeycomb-team=hc-secret-key-123,x-tenant=acme';
    const { secrets } = loadConfig({ env: { OTEL_EXPORTER_OTLP_HEADERS: headers }, cwd });
    expect(secrets).toEqual(expect.arrayContaining([headers, 'hc-secret-key-123']));
    // Scrubbed everywhere, "acme" would come out of every line that names acme/shop.
    expect(secrets).not.toContain('acme');
  });
});

describe('settings file', () => {
  it('reads aidev.config.yaml from the working directory', async () => {
    await settingsFile(
      'jobs:\n  lock_lifetime: 2m\n  poll_interval: 500ms\n  concurrency: 8\ndatabase:\n  auto_migrate: false\n',
    );
    const config = loadConfig({ env: {}, cwd });
    expect(config.configFile).toBe(path.join(cwd, 'aidev.config.yaml'));
    expect(config.jobs).toMatchObject({
      lockLifetimeMs: 120_000,
      pollIntervalMs: 500,
      concurrency: 8,
    });
    expect(config.database.autoMigrate).toBe(false);
  });

  it('points at the line and column of each bad setting, with a suggestion for typos', async () => {
    await settingsFile(
      'jobs:\n  lock_lifetime: soon\n  concurency: 3\ndatabse:\n  pool_size: 0\nlogging:\n  format: colour\n',
    );
    expect(problems({})).toEqual([
      'aidev.config.yaml:2:18 jobs.lock_lifetime: expected a duration from 2s to 1h, such as 30s, 5m or 1500ms, found "soon"',
      'aidev.config.yaml:3:3 jobs.concurency: unknown key (did you mean "concurrency"?); allowed keys: lock_lifetime, poll_interval, concurrency, drain_timeout, worker_name',
      'aidev.config.yaml:7:11 logging.format: expected one of auto, json, pretty, found "colour"',
      'aidev.config.yaml:4:1 databse: unknown key (did you mean "database"?); allowed keys: database, jobs, plugins, local_git, workflows, ai, costs, resilience, pull_requests, tracker_triggers, slack, sandbox, logging',
    ]);
  });

  it('finds workflows where aidev runs, else the ones it ships, unless a directory is set', async () => {
    const shipped = path.resolve(import.meta.dirname, '../../workflows');
    expect(loadConfig({ env: {}, cwd }).workflows.directory).toBe(shipped);
    await mkdir(path.join(cwd, 'workflows'));
    expect(loadConfig({ env: {}, cwd }).workflows.directory).toBe(path.join(cwd, 'workflows'));
    await settingsFile('workflows:\n  directory: flows\n');
    expect(loadConfig({ env: {}, cwd }).workflows.directory).toBe(path.join(cwd, 'flows'));
  });

  it('reads the agents’ limits, the run budget and price overrides', async () => {
    await settingsFile(
      'ai:\n  model: claude-opus-5-5\n  max_turns: 25\n  test_timeout: 2m\n  run_budget: 2.5\n  transcript: my.json\ncosts:\n  prices:\n    claude-next: { input: 1, output: 5 }\n',
    );
    const config = loadConfig({ env: {}, cwd });
    expect(config.ai).toMatchObject({
      model: 'claude-opus-5-5',
      maxTurns: 25,
      testTimeoutMs: 120_000,
      runBudgetUsd: '2.5',
      transcript: path.join(cwd, 'my.json'),
      record: undefined,
    });
    expect(config.costs.prices['claude-next']).toEqual({
      input: '1',
      output: '5',
      cacheWrite: '1.2500000000',
      cacheWrite1h: '2.0000000000',
      cacheRead: '0.1000000000',
    });
    await settingsFile('ai:\n  run_budget: lots\n  max_turns: 0\n');
    expect(problems({})).toEqual([
      'aidev.config.yaml:3:14 ai.max_turns: expected a whole number from 1 to 500, found number 0',
      'aidev.config.yaml:2:15 ai.run_budget: expected a dollar amount such as 5 or 2.50, found "lots"',
    ]);
  });

  it('reads the guards of outside services, and names a bad service or value', async () => {
    await settingsFile(
      'resilience:\n  jira: { rate: 0.5, burst: 1 }\n  github: { retries: 0, breaker_reset: 2m }\n',
    );
    expect(loadConfig({ env: {}, cwd }).resilience).toEqual({
      jira: { ratePerSecond: 0.5, burst: 1 },
      github: { retries: 0, breakerResetMs: 120_000 },
    });
    await settingsFile('resilience:\n  jria: { rate: 1 }\n  slack: { rate: 0 }\n');
    expect(problems({})).toEqual([
      'aidev.config.yaml:3:18 resilience.slack.rate: expected calls per second: a number above 0, at most 1000, found number 0',
      'aidev.config.yaml:2:3 resilience.jria: unknown key (did you mean "jira"?); allowed keys: jira, linear, confluence, github, gitlab, anthropic, openai, slack',
    ]);
  });

  it('reports the type it expected for numbers and switches', async () => {
    await settingsFile('database:\n  pool_size: "ten"\n  auto_migrate: yes please\n');
    expect(problems({})).toEqual([
      'aidev.config.yaml:2:14 database.pool_size: expected a whole number from 1 to 100, found "ten"',
      'aidev.config.yaml:3:17 database.auto_migrate: expected true or false, found "yes please"',
    ]);
  });

  it('refuses YAML with tabs or duplicate keys, with the position', async () => {
    await settingsFile('jobs:\n\tconcurrency: 2\n');
    expect(problems({})).toEqual([
      'aidev.config.yaml:2:1 invalid YAML: tabs are not allowed as indentation',
    ]);
    await settingsFile('jobs:\n  concurrency: 2\n  concurrency: 3\n');
    expect(problems({})).toEqual(['aidev.config.yaml:3:3 invalid YAML: map keys must be unique']);
  });

  it('refuses a settings file that is not a mapping', async () => {
    await settingsFile('- jobs\n- database\n');
    expect(problems({})).toEqual([
      'aidev.config.yaml:1:1 expected a mapping, found a list of 2 items',
    ]);
  });

  it('says so when the named settings file does not exist', () => {
    expect(problems({ AIDEV_CONFIG: 'missing.yaml' })).toEqual([
      'AIDEV_CONFIG: expected an existing settings file, found "missing.yaml" (no such file)',
    ]);
    expect(problems({}, 'other.yaml')).toEqual([
      '--config: expected an existing settings file, found "other.yaml" (no such file)',
    ]);
  });

  it('reports problems in the environment and in the file together', async () => {
    await settingsFile('jobs:\n  concurrency: 0\n');
    expect(problems({ PORT: '0' })).toEqual([
      'PORT: expected a TCP port number from 1 to 65535, found "0"',
      'aidev.config.yaml:2:16 jobs.concurrency: expected a whole number from 1 to 100, found number 0',
    ]);
  });
});
