import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import { formatProblem, type Problem } from '../errors/problem.js';
import { parseWithProblems } from '../errors/zod-problems.js';
import { locate, parseYaml } from '../yaml/yaml-source.js';
import type { GuardSettings } from '../resilience/service-guard.js';
import type { Config } from './config.js';
import { envSchema, isSecretEnv, pickEnv, type Env, type EnvName } from './env-schema.js';
import { secretValues } from './secret-values.js';
import { fileSchema, SETTINGS_DEFAULTS, type FileSettings } from './file-schema.js';
import { githubAppOf, type GitHubAppSettings } from './github-app-key.js';
import { pricesOf } from './prices-of.js';
import { aiChoiceOf, type AiChoice } from './ai-choice.js';
import { pullRequestsOf, trackerTriggersOf } from './work-trigger-settings.js';
import { pluginsOf } from './plugin-settings.js';
import { monitoringOf, otelSdkProblems } from './otel-env.js';
import { missingCompanions } from './env-companions.js';
import { sandboxPolicyOf } from './sandbox-settings.js';
import { packagePath } from '../package-root.js';

export const DEFAULT_CONFIG_FILE = 'aidev.config.yaml';

export class ConfigError extends AppError {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[]) {
    super('config_invalid', problems.map(formatProblem).join('\n'), {
      hint: 'fix the settings named above and start again',
    });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Settings file named on the command line; wins over AIDEV_CONFIG. */
  readonly configFile?: string | undefined;
}

/**
 * Reads the environment and the optional settings file into one frozen object.
 * Every problem in either is reported at once, then a ConfigError is thrown.
 */
export function loadConfig(options: LoadConfigOptions): Config {
  const rawEnv = pickEnv(options.env);
  const envResult = parseWithProblems(envSchema, rawEnv, {
    isSecret: (p) => isSecretEnv(String(p[0])),
  });
  const problems: Problem[] = [
    ...(envResult.ok ? [] : envResult.problems),
    ...missingCompanions(rawEnv),
    ...(envResult.ok ? otelSdkProblems(envResult.value) : []),
  ];

  const file = resolveSettingsFile(
    options,
    envResult.ok ? envResult.value.AIDEV_CONFIG : undefined,
  );
  let settings: FileSettings = {};
  if (file.problem !== undefined) problems.push(file.problem);
  if (file.path !== undefined) {
    const read = readSettings(file.path, options.cwd);
    if (read.ok) settings = read.value;
    else problems.push(...read.problems);
  }

  const github = envResult.ok ? githubAppOf(envResult.value, options.cwd) : {};
  if (github.problem !== undefined) problems.push(github.problem);
  const ai = envResult.ok ? aiChoiceOf(envResult.value, settings.ai) : undefined;
  if (ai !== undefined) problems.push(...ai.problems);

  if (!envResult.ok || ai === undefined || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(
    buildConfig(envResult.value, settings, file.path, options, { ...github, ai: ai.choice }),
  );
}

function resolveSettingsFile(
  options: LoadConfigOptions,
  fromEnv: string | undefined,
): { path?: string; problem?: Problem } {
  const named = options.configFile ?? fromEnv;
  if (named === undefined) {
    const fallback = path.resolve(options.cwd, DEFAULT_CONFIG_FILE);
    return existsSync(fallback) ? { path: fallback } : {};
  }
  const resolved = path.resolve(options.cwd, named);
  if (existsSync(resolved)) return { path: resolved };
  return {
    problem: {
      path: options.configFile === undefined ? 'AIDEV_CONFIG' : '--config',
      message: `expected an existing settings file, found ${JSON.stringify(named)} (no such file)`,
    },
  };
}

function readSettings(
  file: string,
  cwd: string,
): { ok: true; value: FileSettings } | { ok: false; problems: readonly Problem[] } {
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [{ where: shown, path: '', message: `cannot read the settings file: ${reason}` }],
    };
  }
  const parsed = parseYaml(text, shown);
  if (!parsed.ok) return parsed;
  const source = parsed.source;
  return parseWithProblems(fileSchema, parsed.value ?? {}, {
    locate: (p, key) => locate(source, p, key),
  });
}

function buildConfig(
  env: Env,
  settings: FileSettings,
  configFile: string | undefined,
  options: LoadConfigOptions,
  derived: { app?: GitHubAppSettings | undefined; ai: AiChoice },
): Config {
  const githubApp = derived.app;
  const set = Object.keys(pickEnv(options.env)) as EnvName[];
  return {
    dataDir: path.resolve(options.cwd, env.AIDEV_DATA_DIR),
    configFile,
    log: {
      level: env.LOG_LEVEL,
      format: settings.logging?.format ?? SETTINGS_DEFAULTS.logging.format,
    },
    server: { host: env.HOST, port: env.PORT },
    database: {
      url: env.DATABASE_URL,
      poolSize: settings.database?.pool_size ?? SETTINGS_DEFAULTS.database.poolSize,
      connectTimeoutMs:
        settings.database?.connect_timeout ?? SETTINGS_DEFAULTS.database.connectTimeoutMs,
      autoMigrate: settings.database?.auto_migrate ?? SETTINGS_DEFAULTS.database.autoMigrate,
    },
    jobs: {
      lockLifetimeMs: settings.jobs?.lock_lifetime ?? SETTINGS_DEFAULTS.jobs.lockLifetimeMs,
      pollIntervalMs: settings.jobs?.poll_interval,
      concurrency: settings.jobs?.concurrency ?? SETTINGS_DEFAULTS.jobs.concurrency,
      drainTimeoutMs: settings.jobs?.drain_timeout ?? SETTINGS_DEFAULTS.jobs.drainTimeoutMs,
      workerName: settings.jobs?.worker_name ?? `${hostname()}:${process.pid}`,
    },
    plugins: pluginsOf(settings.plugins, {
      tracker:
        env.JIRA_URL !== undefined
          ? 'jira'
          : env.LINEAR_API_KEY !== undefined || env.LINEAR_ACCESS_TOKEN !== undefined
            ? 'linear'
            : undefined,
      github: env.GITHUB_TOKEN !== undefined || githubApp !== undefined,
      gitlab: env.GITLAB_TOKEN !== undefined,
      confluence: env.CONFLUENCE_URL !== undefined,
      slack: env.SLACK_BOT_TOKEN !== undefined,
    }),
    localGit: { allowedPaths: settings.local_git?.allowed_paths ?? [] },
    workflows: workflowsOf(options.cwd, settings.workflows?.directory),
    slack: {
      signingSecret: env.SLACK_SIGNING_SECRET,
      botToken: env.SLACK_BOT_TOKEN,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      teamId: settings.slack?.team_id,
      appId: settings.slack?.app_id,
      admins: settings.slack?.admins ?? [],
    },
    github: {
      token: env.GITHUB_TOKEN,
      app: githubApp,
      apiUrl: env.GITHUB_API_URL,
      webhookSecret: env.GITHUB_WEBHOOK_SECRET,
    },
    gitlab: {
      token: env.GITLAB_TOKEN,
      url: env.GITLAB_URL,
      webhookSecret: env.GITLAB_WEBHOOK_SECRET,
    },
    pullRequests: pullRequestsOf(settings.pull_requests),
    trackerTriggers: trackerTriggersOf(settings.tracker_triggers),
    jira: {
      url: env.JIRA_URL,
      email: env.JIRA_EMAIL,
      apiToken: env.JIRA_API_TOKEN,
      pat: env.JIRA_PAT,
      webhookSecret: env.JIRA_WEBHOOK_SECRET,
    },
    linear: {
      apiKey: env.LINEAR_API_KEY,
      accessToken: env.LINEAR_ACCESS_TOKEN,
      apiUrl: env.LINEAR_API_URL,
      webhookSecret: env.LINEAR_WEBHOOK_SECRET,
    },
    confluence: {
      url: env.CONFLUENCE_URL,
      email: env.CONFLUENCE_EMAIL,
      apiToken: env.CONFLUENCE_API_TOKEN,
    },
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL },
    openai: {
      apiKey: env.OPENAI_API_KEY,
      baseUrl: env.OPENAI_BASE_URL,
      apiVersion: env.OPENAI_API_VERSION,
      organization: env.OPENAI_ORG_ID,
      project: env.OPENAI_PROJECT_ID,
    },
    costs: { prices: pricesOf(settings.costs?.prices) },
    resilience: guardSettingsOf(settings.resilience),
    ai: {
      provider: derived.ai.provider,
      model: derived.ai.model,
      maxOutputTokens: settings.ai?.max_output_tokens ?? SETTINGS_DEFAULTS.ai.maxOutputTokens,
      maxTurns: settings.ai?.max_turns ?? SETTINGS_DEFAULTS.ai.maxTurns,
      contextTokens: settings.ai?.context_tokens ?? SETTINGS_DEFAULTS.ai.contextTokens,
      testTimeoutMs: settings.ai?.test_timeout ?? SETTINGS_DEFAULTS.ai.testTimeoutMs,
      commandTimeoutMs: settings.ai?.command_timeout ?? SETTINGS_DEFAULTS.ai.commandTimeoutMs,
      setupCommand: settings.ai?.setup_command,
      setupTimeoutMs: settings.ai?.setup_timeout ?? SETTINGS_DEFAULTS.ai.setupTimeoutMs,
      runBudgetUsd: settings.ai?.run_budget ?? SETTINGS_DEFAULTS.ai.runBudgetUsd,
      context: {
        windowTokens: settings.ai?.context_window ?? SETTINGS_DEFAULTS.ai.contextWindow,
        compactAt: (settings.ai?.compact_at_percent ?? SETTINGS_DEFAULTS.ai.compactAtPercent) / 100,
        keepObservations: settings.ai?.keep_observations ?? SETTINGS_DEFAULTS.ai.keepObservations,
        maxObservationChars:
          settings.ai?.max_observation_chars ?? SETTINGS_DEFAULTS.ai.maxObservationChars,
      },
      // The demo's transcript ships with aidev: by default it is found wherever aidev runs from.
      transcript:
        settings.ai?.transcript === undefined
          ? packagePath(SETTINGS_DEFAULTS.ai.transcript)
          : path.resolve(options.cwd, settings.ai.transcript),
      record:
        settings.ai?.record === undefined
          ? undefined
          : path.resolve(options.cwd, settings.ai.record),
    },
    security: { encryptionKey: env.AIDEV_ENCRYPTION_KEY, sandbox: env.AIDEV_SANDBOX },
    sandbox: sandboxPolicyOf(settings.sandbox),
    monitoring: monitoringOf(env),
    envSet: set,
    // The key read from a file (or with its escapes undone) is a secret in that form too.
    secrets: [
      ...secretValues(env),
      ...(githubApp === undefined ? [] : [githubApp.privateKey]),
      // The OTLP headers as set, whole.
      ...[pickEnv(options.env).OTEL_EXPORTER_OTLP_HEADERS].filter((raw) => raw !== undefined),
    ],
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The file's `resilience` section in the guards' terms; what is not set keeps its default. */
function guardSettingsOf(
  section: FileSettings['resilience'],
): Record<string, Partial<GuardSettings>> {
  const result: Record<string, Partial<GuardSettings>> = {};
  for (const [service, given] of Object.entries(section ?? {}))
    result[service] = {
      ...(given.rate === undefined ? {} : { ratePerSecond: given.rate }),
      ...(given.burst === undefined ? {} : { burst: given.burst }),
      ...(given.retries === undefined ? {} : { retries: given.retries }),
      ...(given.breaker_reset === undefined ? {} : { breakerResetMs: given.breaker_reset }),
    };
  return result;
}

/**
 * The workflows directory: the one set, or `workflows/` where aidev runs, or else the workflows
 * aidev ships (so that `npx aidev demo` or `serve` in a directory of one's own has the standard
 * workflows, as the demo's transcript is found wherever aidev runs from) with their prompts.
 */
function workflowsOf(cwd: string, set: string | undefined): Config['workflows'] {
  if (set !== undefined) return { directory: path.resolve(cwd, set), root: cwd };
  const here = path.resolve(cwd, SETTINGS_DEFAULTS.workflows.directory);
  return existsSync(here)
    ? { directory: here, root: cwd }
    : { directory: packagePath(SETTINGS_DEFAULTS.workflows.directory), root: packagePath() };
}
