import { existsSync } from 'node:fs';
import {
  createAnthropicProvider,
  DEFAULT_ANTHROPIC_URL,
} from '../adapters/anthropic/anthropic-provider.js';
import { createOpenAiProvider, DEFAULT_OPENAI_URL } from '../adapters/openai/openai-provider.js';
import {
  RecordingProvider,
  TranscriptRecorder,
} from '../adapters/transcript/recording-provider.js';
import { TranscriptProvider } from '../adapters/transcript/transcript-provider.js';
import type { AgentDeps, AgentSettings, ChannelAgentSetting } from '../agents/agent-context.js';
import { AgentPrompts } from '../agents/agent-prompts.js';
import { AiAgentRunner } from '../agents/agent-runner.js';
import type { z } from 'zod';
import { channelSettingsSchema } from '../channels/channel-settings.js';
import type { Config } from '../config/config.js';
import { MeteredProvider } from '../costs/metered-provider.js';
import { PriceTable } from '../costs/price-table.js';
import type { ActionRunner, AgentRunner } from '../engine/runners.js';
import { StepError } from '../engine/step-errors.js';
import type { Logger } from '../log/create-logger.js';
import type { AiProvider } from '../plugins/interfaces/ai-provider.js';
import type { AiProviderName } from '../plugins/interfaces/model-ref.js';
import { ProviderRouter } from './provider-router.js';
import type { Guards } from '../resilience/guards.js';
import type { Store } from '../store/store.js';
import { packagePath } from '../package-root.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';

/** aidev's own prompt templates: part of the product, wherever aidev runs from. */
const PROMPTS_DIR = packagePath('prompts');

/**
 * aidev's own node_modules/.bin (tsx among them), put on the sandbox's PATH: the sandbox has no
 * network to install tools, so a TypeScript project can still run its tests with tsx.
 */
const TOOLCHAIN = packagePath('node_modules', '.bin');

/**
 * The AI providers the configuration asks for, behind one router that sends each call to the
 * provider its model names (`openai:gpt-5`): Claude when ANTHROPIC_API_KEY is set (recording
 * into `ai.record` if set), OpenAI (or a compatible gateway, or Azure) when OPENAI_API_KEY is;
 * with neither, the recorded transcript of `ai.transcript` — the embedded default, which
 * replays what it recorded and refuses anything else, loudly.
 */
export function createAiProvider(options: {
  config: Config;
  guards: Guards;
  logger: Logger;
}): ProviderRouter {
  const { config, guards, logger } = options;
  const configured: Partial<Record<AiProviderName, AiProvider>> = {};
  // One recorder for every provider: their calls go into one transcript file.
  const recorder =
    config.ai.record === undefined ? undefined : new TranscriptRecorder(config.ai.record);
  const recorded = (provider: AiProvider) =>
    recorder === undefined ? provider : new RecordingProvider(provider, recorder);
  if (config.anthropic.apiKey !== undefined) {
    const claude = createAnthropicProvider({
      apiKey: config.anthropic.apiKey,
      ...(config.anthropic.baseUrl === undefined ? {} : { baseUrl: config.anthropic.baseUrl }),
      guard: guards.for('anthropic', config.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_URL),
      logger: logger.child({ component: 'anthropic' }),
    });
    configured.anthropic = recorded(claude);
  }
  const openai = config.openai;
  if (openai.apiKey !== undefined)
    configured.openai = recorded(
      createOpenAiProvider({
        apiKey: openai.apiKey,
        ...(openai.baseUrl === undefined ? {} : { baseUrl: openai.baseUrl }),
        ...(openai.apiVersion === undefined ? {} : { apiVersion: openai.apiVersion }),
        ...(openai.organization === undefined ? {} : { organization: openai.organization }),
        ...(openai.project === undefined ? {} : { project: openai.project }),
        guard: guards.for('openai', openai.baseUrl ?? DEFAULT_OPENAI_URL),
        logger: logger.child({ component: 'openai' }),
      }),
    );
  const fallback = existsSync(config.ai.transcript)
    ? TranscriptProvider.load(config.ai.transcript)
    : noProvider(config.ai.transcript);
  return new ProviderRouter({ configured, preferred: config.ai.provider, fallback });
}

/** Without a key or a transcript, an agent step fails at once and says how to fix it. */
function noProvider(transcript: string): AiProvider {
  const refuse = () =>
    Promise.reject(
      new StepError(
        `no AI provider: set ANTHROPIC_API_KEY to use Claude or OPENAI_API_KEY to use OpenAI, or provide a recorded transcript at ${transcript} (ai.transcript)`,
        { code: 'agent_not_configured' },
      ),
    );
  return {
    name: 'none',
    description: 'none (set ANTHROPIC_API_KEY or OPENAI_API_KEY)',
    complete: refuse,
    health: () =>
      Promise.resolve({
        ok: false,
        detail: `neither ANTHROPIC_API_KEY nor OPENAI_API_KEY is set and ${transcript} does not exist`,
      }),
  };
}

/** The agents, their prompts (checked now), and the metered model they all call through. */
export function createAgents(options: {
  config: Config;
  store: Store;
  actions: ActionRunner;
  provider: AiProvider;
  /** Where relative `prompt_template` paths of workflow steps start. */
  baseDir: string;
  /** The agents' own prompts (default: aidev's `prompts/`). */
  promptsDir?: string;
  /** A span per model call, with its tokens and cost (#20). */
  monitoring?: Monitoring;
}): { runner: AgentRunner; model: MeteredProvider } {
  const { config, store } = options;
  const model = new MeteredProvider({
    provider: options.provider,
    store,
    prices: new PriceTable(config.costs.prices),
    runBudget: async (meta) =>
      (meta.channelId === undefined
        ? undefined
        : channelSetting(await store.channels.get(meta.channelId), 'budget_per_run')) ??
      config.ai.runBudgetUsd,
    ...(options.monitoring === undefined ? {} : { monitoring: options.monitoring }),
  });
  const deps: AgentDeps = {
    model,
    actions: options.actions,
    prompts: AgentPrompts.load(options.promptsDir ?? PROMPTS_DIR),
    settings: agentSettings(config),
    store,
    baseDir: options.baseDir,
    channelSetting: (call, key) => channelAgentSetting(store)(call.run.channelId, key),
    ...(options.monitoring === undefined ? {} : { monitoring: options.monitoring }),
  };
  return { runner: new AiAgentRunner(deps), model };
}

/**
 * The agents' settings from the configuration: their limits, and how the repository's commands
 * run (sandbox, tool path, policy, test timeout). A pull request's local CI runs its tests with
 * the same ones, so a test passes or fails there as it did for the agent.
 */
export function agentSettings(config: Config): AgentSettings {
  return {
    model: config.ai.model,
    maxOutputTokens: config.ai.maxOutputTokens,
    maxTurns: config.ai.maxTurns,
    contextTokens: config.ai.contextTokens,
    testTimeoutMs: config.ai.testTimeoutMs,
    commandTimeoutMs: config.ai.commandTimeoutMs,
    ...(config.ai.setupCommand === undefined ? {} : { setupCommand: config.ai.setupCommand }),
    setupTimeoutMs: config.ai.setupTimeoutMs,
    sandbox: config.security.sandbox,
    ...(config.security.unsandboxedDemo === undefined
      ? {}
      : { unsandboxedDemo: config.security.unsandboxedDemo }),
    toolPath: existsSync(TOOLCHAIN) ? [TOOLCHAIN] : [],
    sandboxPolicy: config.sandbox,
    dataDir: config.dataDir,
    context: config.ai.context,
  };
}

/** A run's channel's choice of an agent setting, if it has a valid one. */
export function channelAgentSetting(
  store: Store,
): (channelId: string | null, key: ChannelAgentSetting) => Promise<string | undefined> {
  return async (channelId, key) =>
    channelId === null ? undefined : channelSetting(await store.channels.get(channelId), key);
}

/**
 * One of a channel's settings as text, if it is still valid: a value stored before a rule
 * tightened (a budget of twenty digits) counts as unset, so runs fall back to the defaults
 * instead of failing.
 */
function channelSetting(
  record: { settings: Record<string, unknown> } | null,
  key: string,
): string | undefined {
  const value = record?.settings[key];
  if (typeof value !== 'string' || value === '') return undefined;
  const schema = (channelSettingsSchema.shape as Record<string, z.ZodType | undefined>)[key];
  return schema === undefined || schema.safeParse(value).success ? value : undefined;
}
