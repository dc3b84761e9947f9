import { z } from 'zod';
import type { Problem } from '../errors/problem.js';
import { SANDBOX_SETTINGS } from '../sandbox/sandbox-choice.js';
import { email, encryptionKey, httpUrl, oneOf, port, postgresUrl, secret, text } from './values.js';

/** What the README and `aidev config reference` say about each environment variable. */
export interface EnvVarMeta {
  readonly group:
    'Core' | 'Storage' | 'Slack' | 'GitHub' | 'Jira' | 'Confluence' | 'Anthropic' | 'Security';
  readonly description: string;
  /** Secrets are never printed, and the logger scrubs their values from every line. */
  readonly secret?: boolean;
  readonly default?: string;
  readonly example?: string;
}

export const envRegistry = z.registry<EnvVarMeta>();

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Every environment variable aidev reads, declared once. Empty values count as unset.
 * Order here is the order of the configuration reference.
 */
export const envShape = {
  AIDEV_DATA_DIR: text().default('.aidev').register(envRegistry, {
    group: 'Core',
    description:
      'Directory for the embedded database, workspaces and local backends (created if missing).',
    default: '.aidev',
  }),
  AIDEV_CONFIG: text().optional().register(envRegistry, {
    group: 'Core',
    description:
      'Path of the settings file. Default: `aidev.config.yaml` in the working directory, if present.',
    example: '/etc/aidev/aidev.config.yaml',
  }),
  LOG_LEVEL: oneOf(LOG_LEVELS)
    .optional()
    .register(envRegistry, {
      group: 'Core',
      description: `Log level: ${LOG_LEVELS.join(', ')}. Default: \`info\` for \`serve\` and \`worker\`, \`warn\` for other commands.`,
    }),
  PORT: port().default(3000).register(envRegistry, {
    group: 'Core',
    description: 'TCP port of the HTTP server (Slack events, REST API, health, metrics).',
    default: '3000',
  }),
  HOST: text().default('127.0.0.1').register(envRegistry, {
    group: 'Core',
    description: 'Address the HTTP server binds to; use `0.0.0.0` in containers.',
    default: '127.0.0.1',
  }),
  DATABASE_URL: postgresUrl().optional().register(envRegistry, {
    group: 'Storage',
    secret: true,
    description:
      'PostgreSQL connection URL. When unset, aidev runs the embedded PGlite database in `AIDEV_DATA_DIR`.',
    example: 'postgres://aidev:password@localhost:5432/aidev',
  }),
  SLACK_SIGNING_SECRET: secret({ what: 'the Slack app signing secret' })
    .optional()
    .register(envRegistry, {
      group: 'Slack',
      secret: true,
      description: 'Verifies that requests to `/slack/events` come from Slack (HTTP mode).',
    }),
  SLACK_BOT_TOKEN: secret({ prefixes: ['xoxb-'], what: 'a Slack bot token' })
    .optional()
    .register(envRegistry, {
      group: 'Slack',
      secret: true,
      description: 'Bot token used for Slack Web API calls.',
      example: 'xoxb-…',
    }),
  SLACK_APP_TOKEN: secret({ prefixes: ['xapp-'], what: 'a Slack app-level token' })
    .optional()
    .register(envRegistry, {
      group: 'Slack',
      secret: true,
      description: 'App-level token; when set, aidev connects with Socket Mode instead of HTTP.',
      example: 'xapp-…',
    }),
  SLACK_API_URL: httpUrl('https://slack.com/api').optional().register(envRegistry, {
    group: 'Slack',
    description: "Base URL of the Slack Web API. Default: Slack's own.",
  }),
  GITHUB_TOKEN: secret({ what: 'a GitHub token' }).optional().register(envRegistry, {
    group: 'GitHub',
    secret: true,
    description: 'Token for the GitHub REST API (repository contents, branches, pull requests).',
  }),
  GITHUB_WEBHOOK_SECRET: secret({ what: 'a webhook secret' }).optional().register(envRegistry, {
    group: 'GitHub',
    secret: true,
    description:
      "The secret of the repository's (or the GitHub App's) webhook: deliveries to /github/webhooks are checked against it (X-Hub-Signature-256).",
  }),
  GITHUB_API_URL: httpUrl('https://github.example.com/api/v3')
    .default('https://api.github.com')
    .register(envRegistry, {
      group: 'GitHub',
      description: 'GitHub API base URL; set it for GitHub Enterprise Server.',
      default: 'https://api.github.com',
    }),
  JIRA_URL: httpUrl('https://your-company.atlassian.net').optional().register(envRegistry, {
    group: 'Jira',
    description: 'Jira site URL (Cloud, or Server/Data Center).',
  }),
  JIRA_EMAIL: email().optional().register(envRegistry, {
    group: 'Jira',
    description: 'Account email for Jira Cloud (with `JIRA_API_TOKEN`).',
  }),
  JIRA_API_TOKEN: secret({ what: 'a Jira API token' }).optional().register(envRegistry, {
    group: 'Jira',
    secret: true,
    description: 'Jira Cloud API token (with `JIRA_EMAIL`).',
  }),
  JIRA_PAT: secret({ what: 'a Jira personal access token' }).optional().register(envRegistry, {
    group: 'Jira',
    secret: true,
    description:
      'Personal access token for Jira Server/Data Center (instead of email + API token).',
  }),
  CONFLUENCE_URL: httpUrl('https://your-company.atlassian.net').optional().register(envRegistry, {
    group: 'Confluence',
    description: 'Confluence Cloud site URL.',
  }),
  CONFLUENCE_EMAIL: email().optional().register(envRegistry, {
    group: 'Confluence',
    description: 'Account email for Confluence (with `CONFLUENCE_API_TOKEN`).',
  }),
  CONFLUENCE_API_TOKEN: secret({ what: 'a Confluence API token' })
    .optional()
    .register(envRegistry, {
      group: 'Confluence',
      secret: true,
      description: 'Confluence API token (with `CONFLUENCE_EMAIL`).',
    }),
  ANTHROPIC_API_KEY: secret({ what: 'an Anthropic API key' }).optional().register(envRegistry, {
    group: 'Anthropic',
    secret: true,
    description:
      'Anthropic API key. When set, agents use Claude; otherwise the recorded-transcript provider.',
  }),
  ANTHROPIC_BASE_URL: httpUrl('https://api.anthropic.com').optional().register(envRegistry, {
    group: 'Anthropic',
    description: 'Base URL of the Anthropic API (a proxy or gateway).',
  }),
  AIDEV_ENCRYPTION_KEY: encryptionKey().optional().register(envRegistry, {
    group: 'Security',
    secret: true,
    description:
      'Key that encrypts stored plugin credentials (AES-256-GCM). Without it the embedded default generates one in the data directory.',
  }),
  AIDEV_SANDBOX: oneOf(SANDBOX_SETTINGS).default('auto').register(envRegistry, {
    group: 'Security',
    description:
      'How repository commands (tests, setup, the agent’s shell) are isolated: `auto` picks bubblewrap on Linux and Seatbelt (`sandbox-exec`, part of macOS) on macOS; `bubblewrap` or `seatbelt` names one; `none` runs them unsandboxed (logs a warning on every run). Without a sandbox, runs refuse to run code; `aidev config check` says which sandbox is in use or what to install.',
    default: 'auto',
  }),
} as const;

export type EnvName = keyof typeof envShape;

export function envMeta(name: EnvName): EnvVarMeta {
  const meta = envRegistry.get(envShape[name]);
  if (meta === undefined) throw new Error(`environment variable ${name} has no registry entry`);
  return meta;
}

export function isSecretEnv(name: string): boolean {
  return name in envShape && envMeta(name as EnvName).secret === true;
}

/**
 * Settings that only make sense together. They depend on presence alone, so they are checked
 * on the raw environment, whatever the validity of the values (all problems are reported at once).
 */
export function missingCompanions(env: Readonly<Record<string, string>>): Problem[] {
  const problems: Problem[] = [];
  const require = (name: EnvName, when: readonly EnvName[], why: string) => {
    const present = when.filter((other) => env[other] !== undefined);
    if (env[name] !== undefined || present.length === 0) return;
    const verb = present.length > 1 ? 'are' : 'is';
    problems.push({
      path: name,
      message: `expected to be set because ${present.join(' and ')} ${verb} set (${why}), found nothing`,
    });
  };
  require('JIRA_URL', ['JIRA_EMAIL', 'JIRA_API_TOKEN', 'JIRA_PAT'], 'Jira site to call');
  require('JIRA_API_TOKEN', ['JIRA_EMAIL'], 'Jira Cloud signs in with email + API token');
  if (env.JIRA_PAT === undefined) {
    require('JIRA_EMAIL', ['JIRA_API_TOKEN'], 'Jira Cloud signs in with email + API token');
  }
  require('CONFLUENCE_URL', [
    'CONFLUENCE_EMAIL',
    'CONFLUENCE_API_TOKEN',
  ], 'Confluence site to call');
  require('CONFLUENCE_API_TOKEN', [
    'CONFLUENCE_URL',
    'CONFLUENCE_EMAIL',
  ], 'Confluence signs in with email + API token');
  require('CONFLUENCE_EMAIL', [
    'CONFLUENCE_URL',
    'CONFLUENCE_API_TOKEN',
  ], 'Confluence signs in with email + API token');
  require('SLACK_BOT_TOKEN', [
    'SLACK_SIGNING_SECRET',
    'SLACK_APP_TOKEN',
  ], 'every Slack Web API call needs the bot token');
  if (env.SLACK_APP_TOKEN === undefined) {
    require('SLACK_SIGNING_SECRET', [
      'SLACK_BOT_TOKEN',
    ], 'HTTP mode verifies Slack requests with it; or set SLACK_APP_TOKEN for Socket Mode');
  }
  return problems;
}

export const envSchema = z.object(envShape);

export type Env = z.output<typeof envSchema>;

/** Environment variables with empty values are treated as unset, as most deploy tools expect. */
export function pickEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of Object.keys(envShape)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') picked[name] = value;
  }
  return picked;
}
