import { z } from 'zod';
import { GUARDED_SERVICES } from '../resilience/guards.js';
import { sandboxSettingsSchema } from './sandbox-settings.js';
import { pluginSettingsSchema } from './plugin-settings.js';
import { slackSettingsSchema } from './slack-settings.js';
import {
  pullRequestSettingsSchema,
  trackerTriggerSettingsSchema,
} from './work-trigger-settings.js';
import { settingsRegistry } from './settings-registry.js';
import { AI_PROVIDERS } from '../plugins/interfaces/model-ref.js';
import { absolutePath, boolean, dollars, duration, integer, oneOf, rate, text } from './values.js';

export { settingsRegistry, type SettingMeta } from './settings-registry.js';

/** Defaults of the settings file, in one place. Durations are milliseconds. */
export const SETTINGS_DEFAULTS = {
  database: { poolSize: 10, connectTimeoutMs: 5_000, autoMigrate: true },
  jobs: {
    lockLifetimeMs: 30_000,
    pollIntervalMs: { postgres: 5_000, embedded: 200 },
    concurrency: 4,
    drainTimeoutMs: 10_000,
  },
  logging: { format: 'auto' },
  workflows: { directory: 'workflows' },
  ai: {
    model: 'claude-sonnet-5-5',
    /** The model of an installation whose provider is OpenAI. */
    openaiModel: 'gpt-5',
    maxOutputTokens: 8_192,
    maxTurns: 40,
    contextTokens: 24_000,
    testTimeoutMs: 600_000,
    commandTimeoutMs: 120_000,
    setupTimeoutMs: 600_000,
    runBudgetUsd: '5',
    transcript: 'transcripts/demo.json',
    contextWindow: 200_000,
    compactAtPercent: 70,
    keepObservations: 8,
    maxObservationChars: 24_000,
  },
} as const;

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/**
 * `aidev.config.yaml`: non-secret settings. Secrets only come from the environment, so an
 * unknown key (a token pasted here by mistake, or a typo) is an error.
 */
export const fileSchema = z.strictObject({
  database: z
    .strictObject({
      pool_size: integer(1, 100)
        .optional()
        .register(settingsRegistry, {
          description: 'Connections per process in the PostgreSQL pool.',
          default: String(SETTINGS_DEFAULTS.database.poolSize),
        }),
      connect_timeout: duration({ min: '100ms', max: '5m' }).optional().register(settingsRegistry, {
        description: 'How long to wait for the database before giving up at start-up.',
        default: '5s',
      }),
      auto_migrate: boolean().optional().register(settingsRegistry, {
        description:
          'Apply pending schema migrations at start-up. When false, run `aidev config check --migrate`.',
        default: 'true',
      }),
    })
    .optional(),
  jobs: z
    .strictObject({
      lock_lifetime: duration({ min: '2s', max: '1h' }).optional().register(settingsRegistry, {
        description:
          'How long a job stays locked without a heartbeat; a crashed worker’s jobs are taken over after it. Running jobs renew it every third of this. All workers must use the same value.',
        default: '30s',
      }),
      poll_interval: duration({ min: '50ms', max: '5m' }).optional().register(settingsRegistry, {
        description:
          'How often a worker looks for due jobs. PostgreSQL also wakes workers with LISTEN/NOTIFY.',
        default: '5s (PostgreSQL), 200ms (embedded)',
      }),
      concurrency: integer(1, 100)
        .optional()
        .register(settingsRegistry, {
          description: 'Jobs one worker runs at the same time.',
          default: String(SETTINGS_DEFAULTS.jobs.concurrency),
        }),
      drain_timeout: duration({ min: '0s', max: '1h' }).optional().register(settingsRegistry, {
        description:
          'How long a stopping worker (SIGTERM, SIGINT) lets its running jobs finish; then each is handed over to another worker, which resumes the step where it was (an agent keeps its conversation and work).',
        default: '10s',
      }),
      worker_name: text().optional().register(settingsRegistry, {
        description: 'Name recorded on the jobs this worker locks.',
        default: 'hostname:pid',
      }),
    })
    .optional(),
  plugins: pluginSettingsSchema,
  local_git: z
    .strictObject({
      allowed_paths: z.array(absolutePath('/srv/git')).optional().register(settingsRegistry, {
        description:
          'Directories outside the repositories directory (`repos/` in the data directory) whose git repositories `local_git` may use, given by absolute path. Only this file can allow them: without it a repository is a name inside the repositories directory — no absolute path, no `..`, no symlink leading out — and a channel’s `repositories_dir` must lie inside one of these.',
        default: 'none',
      }),
    })
    .optional(),
  workflows: z
    .strictObject({
      directory: text().optional().register(settingsRegistry, {
        description:
          'Directory of the workflow files (and of `examples/`), relative to the working directory. Unset: `workflows/` there if it exists, else the workflows aidev ships.',
        default: SETTINGS_DEFAULTS.workflows.directory,
      }),
    })
    .optional(),
  ai: z
    .strictObject({
      provider: oneOf(AI_PROVIDERS)
        .optional()
        .register(settingsRegistry, {
          description: `The installation's AI provider: ${AI_PROVIDERS.join(' or ')}; its key must be set (\`ANTHROPIC_API_KEY\`, \`OPENAI_API_KEY\`). A model setting may name another (\`openai:gpt-5\`).`,
          default:
            'the one whose key is set, Anthropic first; without keys, the recorded transcript',
        }),
      model: text()
        .optional()
        .register(settingsRegistry, {
          description:
            'Model the agents use (a channel may choose another): a model of `ai.provider` (`gpt-5`), a Claude id (`claude-sonnet-5-5`), or `provider:model` (`openai:gpt-5`, `anthropic:claude-opus-4-6`).',
          default: `${SETTINGS_DEFAULTS.ai.model} (Anthropic), ${SETTINGS_DEFAULTS.ai.openaiModel} (OpenAI)`,
        }),
      max_output_tokens: integer(256, 64_000)
        .optional()
        .register(settingsRegistry, {
          description: 'Most tokens one model answer may have.',
          default: String(SETTINGS_DEFAULTS.ai.maxOutputTokens),
        }),
      max_turns: integer(1, 500)
        .optional()
        .register(settingsRegistry, {
          description: 'Most model turns the development agent takes for one task.',
          default: String(SETTINGS_DEFAULTS.ai.maxTurns),
        }),
      context_tokens: integer(0, 150_000)
        .optional()
        .register(settingsRegistry, {
          description: 'Tokens of relevant repository files given to the agents up front.',
          default: String(SETTINGS_DEFAULTS.ai.contextTokens),
        }),
      context_window: integer(8_000, 2_000_000)
        .optional()
        .register(settingsRegistry, {
          description:
            'Tokens the model’s context window holds; the development agent keeps every request within it.',
          default: String(SETTINGS_DEFAULTS.ai.contextWindow),
        }),
      compact_at_percent: integer(30, 95)
        .optional()
        .register(settingsRegistry, {
          description:
            'When a request reaches this percentage of the context window, the conversation so far is replaced by a summary the model writes (a metered call).',
          default: String(SETTINGS_DEFAULTS.ai.compactAtPercent),
        }),
      keep_observations: integer(1, 100)
        .optional()
        .register(settingsRegistry, {
          description:
            'Tool results of this many recent turns are shown to the model whole; older ones become a one-line note (the run log keeps them whole).',
          default: String(SETTINGS_DEFAULTS.ai.keepObservations),
        }),
      max_observation_chars: integer(2_000, 200_000)
        .optional()
        .register(settingsRegistry, {
          description:
            'Most characters of one tool result the model sees (its beginning and end, with what was left out said).',
          default: String(SETTINGS_DEFAULTS.ai.maxObservationChars),
        }),
      test_timeout: duration({ min: '5s', max: '2h' }).optional().register(settingsRegistry, {
        description: 'How long the repository’s test command may run in the sandbox.',
        default: '10m',
      }),
      command_timeout: duration({ min: '5s', max: '2h' }).optional().register(settingsRegistry, {
        description:
          'How long one shell command of the development agent’s may run in the sandbox (the repository’s tests, when it finishes, have ai.test_timeout).',
        default: '2m',
      }),
      setup_command: text().optional().register(settingsRegistry, {
        description:
          'A command run in the agent’s working copy before it starts, with network access, to install what the tests need (e.g. `npm ci`); it runs in the sandbox, sees none of aidev’s secrets, and its failure fails the step.',
        default: 'none',
      }),
      setup_timeout: duration({ min: '5s', max: '2h' }).optional().register(settingsRegistry, {
        description: 'How long the setup command may run.',
        default: '10m',
      }),
      run_budget: dollars(10_000)
        .optional()
        .register(settingsRegistry, {
          description:
            'Default budget of one run in US dollars (a channel may set its own); a model call that would exceed it pauses the run and asks.',
          default: `${SETTINGS_DEFAULTS.ai.runBudgetUsd} (dollars)`,
        }),
      transcript: text()
        .optional()
        .register(settingsRegistry, {
          description:
            'Recorded transcript replayed when no AI provider is configured (neither `ANTHROPIC_API_KEY` nor `OPENAI_API_KEY`; a path relative to the working directory).',
          default: `aidev’s ${SETTINGS_DEFAULTS.ai.transcript}`,
        }),
      record: text().optional().register(settingsRegistry, {
        description:
          'Record every model call (Claude’s and OpenAI’s) into this transcript file, to replay later without a key.',
        default: 'none',
      }),
    })
    .optional(),
  costs: z
    .strictObject({
      prices: z
        .record(
          z.string().min(1),
          z.strictObject({
            input: dollars(),
            output: dollars(),
            cache_write: dollars().optional(),
            cache_write_1h: dollars().optional(),
            cache_read: dollars().optional(),
          }),
          { error: 'expected a mapping of model ids to prices' },
        )
        .optional()
        .register(settingsRegistry, {
          description:
            'Dollars per million tokens by model id without its provider (`gpt-5`, `my-azure-deployment`): `input`, `output`, and the cache prices, which default for a Claude model to 1.25×, 2× and 0.1× input, for any other to the input price (set `cache_read` to a discounted rate); over the built-in table.',
          default: 'Anthropic’s and OpenAI’s published prices',
        }),
    })
    .optional(),
  resilience: z
    .partialRecord(
      oneOf(GUARDED_SERVICES),
      z.strictObject({
        rate: rate().optional(),
        burst: integer(1, 10_000).optional(),
        retries: integer(0, 10).optional(),
        breaker_reset: duration({ min: '1s', max: '1h' }).optional(),
      }),
      { error: `expected a mapping of services (${GUARDED_SERVICES.join(', ')}) to settings` },
    )
    .optional()
    .register(settingsRegistry, {
      description: `Per service (${GUARDED_SERVICES.join(', ')}), for each of its sites (a channel's own Jira has its own limit and breaker): \`rate\` calls per second shared by every aidev process on the database, \`burst\` calls at once, \`retries\` after a 429/5xx/network failure, \`breaker_reset\` (how long a failing service is left alone).`,
      default:
        'rate: Jira and Confluence 2, Linear 1, GitHub 5, GitLab 5, Anthropic 1, OpenAI 1, Slack 10; burst: two seconds’ worth; retries: 3; breaker_reset: 60s',
    }),
  pull_requests: pullRequestSettingsSchema,
  tracker_triggers: trackerTriggerSettingsSchema,
  slack: slackSettingsSchema,
  sandbox: sandboxSettingsSchema,
  logging: z
    .strictObject({
      format: oneOf(LOG_FORMATS).optional().register(settingsRegistry, {
        description: '`json` lines, `pretty` for people, or `auto` (pretty on a terminal).',
        default: SETTINGS_DEFAULTS.logging.format,
      }),
    })
    .optional(),
});

export type FileSettings = z.output<typeof fileSchema>;
