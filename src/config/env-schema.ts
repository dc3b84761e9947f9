import { z } from 'zod';
import { SANDBOX_SETTINGS } from '../sandbox/sandbox-choice.js';
import { envRegistry, type EnvVarMeta } from './env-registry.js';
import { openAiEnvShape } from './openai-env.js';
import { otelEnvShape } from './otel-env.js';
import {
  email,
  encryptionKey,
  httpUrl,
  numericId,
  oneOf,
  port,
  postgresUrl,
  secret,
  text,
} from './values.js';

export { envRegistry, type EnvVarMeta } from './env-registry.js';

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
    description:
      'Token for the GitHub REST API and git over HTTPS (repository contents, branches, pull requests). Ignored when a GitHub App is set (`GITHUB_APP_ID`).',
  }),
  GITHUB_APP_ID: numericId('a GitHub App id', '123456').optional().register(envRegistry, {
    group: 'GitHub',
    description:
      'Run aidev as this GitHub App (the App ID on its settings page), with `GITHUB_APP_PRIVATE_KEY`; wins over `GITHUB_TOKEN`. See [Run aidev as a GitHub App](#run-aidev-as-a-github-app).',
    example: '123456',
  }),
  GITHUB_APP_PRIVATE_KEY: text().optional().register(envRegistry, {
    group: 'GitHub',
    secret: true,
    description:
      "The App's private key: the PEM itself (`\\n` escapes are read as line breaks, as env files write it) or the path of the downloaded `.pem` file.",
  }),
  GITHUB_APP_INSTALLATION_ID: numericId('a GitHub App installation id', '7654321')
    .optional()
    .register(envRegistry, {
      group: 'GitHub',
      description:
        "The App's installation to act as. Default: each repository's own installation, asked of GitHub (`GET /repos/{owner}/{repo}/installation`) once per repository.",
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
  GITLAB_TOKEN: secret({ what: 'a GitLab access token (glpat-…)' })
    .optional()
    .register(envRegistry, {
      group: 'GitLab',
      secret: true,
      description:
        'Personal, project or group access token for the GitLab REST API and git over HTTPS (scopes `api` and `write_repository`; a project or group token needs the Developer role or higher). When set and no GitHub credentials are, GitLab is the version control. See [GitLab](#gitlab).',
      example: 'glpat-…',
    }),
  GITLAB_URL: httpUrl('https://gitlab.example.com')
    .default('https://gitlab.com')
    .register(envRegistry, {
      group: 'GitLab',
      description: 'Address of the GitLab instance; set it for GitLab Self-Managed or Dedicated.',
      default: 'https://gitlab.com',
    }),
  GITLAB_WEBHOOK_SECRET: secret({ what: 'a webhook secret token' })
    .optional()
    .register(envRegistry, {
      group: 'GitLab',
      secret: true,
      description:
        "The secret token of the project's (or group's) webhook that posts to /gitlab/webhooks: GitLab sends it as X-Gitlab-Token with each delivery.",
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
  JIRA_WEBHOOK_SECRET: secret({ what: 'a webhook secret' }).optional().register(envRegistry, {
    group: 'Jira',
    secret: true,
    description:
      "The secret of the Jira webhook that posts to /jira/webhooks: Jira Cloud (and Data Center 10) sign each delivery with it (X-Hub-Signature); older Data Center / Server, which cannot sign, put it in the webhook's URL as `?token=`. See [Start work from Jira or Linear](#start-work-from-jira-or-linear).",
  }),
  LINEAR_API_KEY: secret({ what: 'a Linear personal API key (lin_api_…)' })
    .optional()
    .register(envRegistry, {
      group: 'Linear',
      secret: true,
      description:
        'Personal API key (Linear → Settings → Security & access → Personal API keys), sent as the `Authorization` header as Linear documents it. When set and `JIRA_URL` is not, Linear is the task tracker; set `plugins.task_management.settings.team` to the team key (e.g. `ENG`) if projects are not named by team key. See [Linear](#linear).',
      example: 'lin_api_…',
    }),
  LINEAR_ACCESS_TOKEN: secret({ what: 'a Linear OAuth access token' })
    .optional()
    .register(envRegistry, {
      group: 'Linear',
      secret: true,
      description:
        "An OAuth app's access token (sent as `Bearer`), instead of `LINEAR_API_KEY`; wins when both are set.",
    }),
  LINEAR_WEBHOOK_SECRET: secret({ what: 'a webhook signing secret' })
    .optional()
    .register(envRegistry, {
      group: 'Linear',
      secret: true,
      description:
        "The signing secret of the Linear webhook that posts to /linear/webhooks (Linear → Settings → API → Webhooks): each delivery's Linear-Signature is checked against it. See [Start work from Jira or Linear](#start-work-from-jira-or-linear).",
    }),
  LINEAR_API_URL: httpUrl('https://api.linear.app/graphql').optional().register(envRegistry, {
    group: 'Linear',
    description: "Linear's GraphQL endpoint (a proxy, or a local server in tests).",
    default: 'https://api.linear.app/graphql',
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
      'Anthropic API key: agents can use Claude. With neither it nor `OPENAI_API_KEY`, agents replay the recorded transcript.',
  }),
  ANTHROPIC_BASE_URL: httpUrl('https://api.anthropic.com').optional().register(envRegistry, {
    group: 'Anthropic',
    description: 'Base URL of the Anthropic API (a proxy or gateway).',
  }),
  ...openAiEnvShape,
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
  ...otelEnvShape,
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
