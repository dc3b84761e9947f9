import { existsSync } from 'node:fs';
import {
  createAnthropicProvider,
  DEFAULT_ANTHROPIC_URL,
} from '../adapters/anthropic/anthropic-provider.js';
import { RecordingProvider } from '../adapters/transcript/recording-provider.js';
import { TranscriptProvider } from '../adapters/transcript/transcript-provider.js';
import type { AgentDeps } from '../agents/agent-context.js';
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
import type { Guards } from '../resilience/guards.js';
import type { Store } from '../store/store.js';
import { packagePath } from '../package-root.js';

/** aidev's own prompt templates: part of the product, wherever aidev runs from. */
const PROMPTS_DIR = packagePath('prompts');

/**
 * aidev's own node_modules/.bin (tsx among them), put on the sandbox's PATH: the sandbox has no
 * network to install tools, so a TypeScript project can still run its tests with tsx.
 */
const TOOLCHAIN = packagePath('node_modules', '.bin');

/**
 * The AI provider the configuration asks for: Claude when ANTHROPIC_API_KEY is set (recording
 * into `ai.record` if set), otherwise the recorded transcript of `ai.transcript` — the
 * embedded default, which replays what it recorded and refuses anything else, loudly.
 */
export function createAiProvider(options: {
  config: Config;
  guards: Guards;
  logger: Logger;
}): AiProvider {
  const { config, guards, logger } = options;
  if (config.anthropic.apiKey !== undefined) {
    const claude = createAnthropicProvider({
      apiKey: config.anthropic.apiKey,
      ...(config.anthropic.baseUrl === undefined ? {} : { baseUrl: config.anthropic.baseUrl }),
      guard: guards.for('anthropic', config.anthropic.baseUrl ?? DEFAULT_ANTHROPIC_URL),
      logger: logger.child({ component: 'anthropic' }),
    });
    return config.ai.record === undefined
      ? claude
      : new RecordingProvider(claude, config.ai.record);
  }
  if (existsSync(config.ai.transcript)) return TranscriptProvider.load(config.ai.transcript);
  return noProvider(config.ai.transcript);
}

/** Without a key or a transcript, an agent step fails at once and says how to fix it. */
function noProvider(transcript: string): AiProvider {
  const refuse = () =>
    Promise.reject(
      new StepError(
        `no AI provider: set ANTHROPIC_API_KEY to use Claude, or provide a recorded transcript at ${transcript} (ai.transcript)`,
        { code: 'agent_not_configured' },
      ),
    );
  return {
    name: 'none',
    description: 'none (set ANTHROPIC_API_KEY)',
    complete: refuse,
    health: () =>
      Promise.resolve({
        ok: false,
        detail: `ANTHROPIC_API_KEY is not set and ${transcript} does not exist`,
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
  });
  const deps: AgentDeps = {
    model,
    actions: options.actions,
    prompts: AgentPrompts.load(options.promptsDir ?? PROMPTS_DIR),
    settings: {
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
    },
    store,
    baseDir: options.baseDir,
    channelSetting: async (call, key) =>
      call.run.channelId === null
        ? undefined
        : channelSetting(await store.channels.get(call.run.channelId), key),
  };
  return { runner: new AiAgentRunner(deps), model };
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
