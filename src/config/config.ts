import type { ModelPrice } from '../costs/price-table.js';
import type { AiProviderName } from '../plugins/interfaces/model-ref.js';
import type { GuardSettings } from '../resilience/service-guard.js';
import type { SandboxSetting, UnsandboxedDemo } from '../sandbox/sandbox-choice.js';
import type { SandboxPolicy } from '../sandbox/sandbox-policy.js';
import type { LogLevel } from './env-schema.js';
import type { GitHubAppSettings } from './github-app-key.js';
import type { LOG_FORMATS } from './file-schema.js';
import type { MonitoringSettings } from './otel-env.js';

/** The whole configuration, parsed once at start-up and frozen. */
export interface Config {
  /** Absolute path of the data directory. */
  readonly dataDir: string;
  /** Absolute path of the settings file that was read, if any. */
  readonly configFile: string | undefined;
  readonly log: {
    /** Unset means "the command's default" (info for long-running processes, warn otherwise). */
    readonly level: LogLevel | undefined;
    readonly format: (typeof LOG_FORMATS)[number];
  };
  readonly server: { readonly host: string; readonly port: number };
  readonly database: {
    /** PostgreSQL URL (a secret); unset selects the embedded database. */
    readonly url: string | undefined;
    readonly poolSize: number;
    readonly connectTimeoutMs: number;
    readonly autoMigrate: boolean;
  };
  readonly jobs: {
    readonly lockLifetimeMs: number;
    /** Unset means the default for the database kind. */
    readonly pollIntervalMs: number | undefined;
    readonly concurrency: number;
    /** How long a stop waits for running jobs before handing them over. */
    readonly drainTimeoutMs: number;
    readonly workerName: string;
  };
  readonly plugins: {
    /** The chosen plugin of each type and its raw settings (the plugin validates them). */
    readonly choices: Readonly<
      Record<
        'task_management' | 'version_control' | 'documentation' | 'communication',
        { readonly use: string; readonly settings: Readonly<Record<string, unknown>> }
      >
    >;
    readonly packages: readonly string[];
  };
  readonly localGit: {
    /** Absolute directories outside the repositories directory that local_git may use. */
    readonly allowedPaths: readonly string[];
  };
  readonly workflows: {
    /** Absolute path of the workflows directory. */
    readonly directory: string;
    /**
     * Where the files a workflow names (`prompts/…`) are found: the working directory, or
     * aidev's own installation when the workflows are the ones it ships.
     */
    readonly root: string;
  };
  readonly slack: {
    readonly signingSecret: string | undefined;
    readonly botToken: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    /** Requests from another workspace or app are refused (when set). */
    readonly teamId: string | undefined;
    readonly appId: string | undefined;
    /** Installer-named admins, besides the workspace's own admins and owners. */
    readonly admins: readonly string[];
  };
  readonly github: {
    readonly token: string | undefined;
    /** Run as this GitHub App (GITHUB_APP_*): it wins over the token when both are set. */
    readonly app: GitHubAppSettings | undefined;
    readonly apiUrl: string;
    /** Checks deliveries to /github/webhooks; without it they are refused (503). */
    readonly webhookSecret: string | undefined;
  };
  readonly gitlab: {
    readonly token: string | undefined;
    /** The instance's address (GITLAB_URL): https://gitlab.com or a self-managed one. */
    readonly url: string;
    /** Checks deliveries to /gitlab/webhooks (X-Gitlab-Token); without it they are refused (503). */
    readonly webhookSecret: string | undefined;
  };
  /** The pull-request loop (#18): feedback on aidev's pull requests becomes rounds of fixes. */
  readonly pullRequests: {
    readonly maxFixRounds: number;
    readonly mentions: readonly string[];
    readonly allowedBots: readonly string[];
  };
  /** Work started from the trackers (#19): the label, aidev's accounts, its names. */
  readonly trackerTriggers: {
    readonly label: string;
    readonly botAccounts: readonly string[];
    /** Accounts whose follow-up comments act on any run (besides the run's own starter). */
    readonly followupAccounts: readonly string[];
    readonly mentions: readonly string[];
  };
  readonly jira: {
    readonly url: string | undefined;
    readonly email: string | undefined;
    readonly apiToken: string | undefined;
    readonly pat: string | undefined;
    /** Checks deliveries to /jira/webhooks (signature or URL token); without it, 503. */
    readonly webhookSecret: string | undefined;
  };
  readonly linear: {
    readonly apiKey: string | undefined;
    readonly accessToken: string | undefined;
    readonly apiUrl: string | undefined;
    /** Checks deliveries to /linear/webhooks (Linear-Signature); without it, 503. */
    readonly webhookSecret: string | undefined;
  };
  readonly confluence: {
    readonly url: string | undefined;
    readonly email: string | undefined;
    readonly apiToken: string | undefined;
  };
  readonly anthropic: { readonly apiKey: string | undefined; readonly baseUrl: string | undefined };
  readonly openai: {
    readonly apiKey: string | undefined;
    readonly baseUrl: string | undefined;
    /** Azure OpenAI's dated API version: the SDK's AzureOpenAI client is used. */
    readonly apiVersion: string | undefined;
    /** OPENAI_ORG_ID and OPENAI_PROJECT_ID: whom the calls are billed to. */
    readonly organization: string | undefined;
    readonly project: string | undefined;
  };
  /** Price overrides by model (dollars per million tokens). */
  readonly costs: { readonly prices: Readonly<Record<string, ModelPrice>> };
  /** Guard settings by service, over the defaults (src/resilience/guards.ts). */
  readonly resilience: Readonly<Record<string, Partial<GuardSettings>>>;
  readonly ai: {
    /**
     * The installation's provider (`ai.provider`, else the one whose key is set, Anthropic
     * first); undefined: none is configured, and agents replay the recorded transcript.
     */
    readonly provider: AiProviderName | undefined;
    /** The agents' model: `provider:model`, a bare Claude id, or a model of `provider`. */
    readonly model: string;
    readonly maxOutputTokens: number;
    readonly maxTurns: number;
    readonly contextTokens: number;
    readonly testTimeoutMs: number;
    readonly commandTimeoutMs: number;
    /** Run with network in the working copy before the development agent starts (`npm ci`). */
    readonly setupCommand: string | undefined;
    readonly setupTimeoutMs: number;
    /** Dollars, as text ("5.00"). */
    readonly runBudgetUsd: string;
    /** How much of a conversation the development agent's model is shown (ContextPolicy). */
    readonly context: {
      readonly windowTokens: number;
      /** Share of the window (0–1) at which the conversation is summarized. */
      readonly compactAt: number;
      readonly keepObservations: number;
      readonly maxObservationChars: number;
    };
    /** Absolute path of the transcript replayed without an API key. */
    readonly transcript: string;
    /** Absolute path to record Claude's answers into, if set. */
    readonly record: string | undefined;
  };
  readonly security: {
    readonly encryptionKey: string | undefined;
    readonly sandbox: SandboxSetting;
    /** Set only by `aidev demo`, in the configuration it composes for itself: its own runs. */
    readonly unsandboxedDemo?: UnsandboxedDemo;
  };
  /** Traces and metrics over OTLP (#20), from the standard OTEL_* variables. */
  readonly monitoring: MonitoringSettings;
  /** What sandboxed commands may use (the `sandbox` settings over the defaults). */
  readonly sandbox: SandboxPolicy;
  /** Names of the aidev environment variables that were set (values not included). */
  readonly envSet: readonly string[];
  /** Every secret value in this configuration, for log scrubbing. */
  readonly secrets: readonly string[];
}
