import { createOpenAiProvider } from '../../../src/adapters/openai/openai-provider.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { AiProvider, ModelRequest } from '../../../src/plugins/interfaces/ai-provider.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { OpenAiServer } from '../../vendors/openai/openai-server.js';
import { FAST_GUARD, userText } from '../anthropic/anthropic-setup.js';

export const GPT = 'gpt-5';

/** The provider as the app builds it: the real SDK, aidev's guard for `openai`, the local server. */
export function openAiProvider(
  server: OpenAiServer,
  logger: Logger,
  options: {
    apiKey?: string;
    guard?: Partial<GuardSettings>;
    organization?: string;
    project?: string;
  } = {},
): { provider: AiProvider; guards: Guards } {
  const guards = new Guards(logger, { openai: { ...FAST_GUARD, ...options.guard } });
  const provider = createOpenAiProvider({
    apiKey: options.apiKey ?? server.apiKey,
    baseUrl: server.url,
    guard: guards.for('openai', server.url),
    logger,
    ...(options.organization === undefined ? {} : { organization: options.organization }),
    ...(options.project === undefined ? {} : { project: options.project }),
  });
  return { provider, guards };
}

export function gptRequest(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: GPT,
    system: [{ text: 'You are terse.' }],
    tools: [],
    messages: [userText('Say hello.')],
    maxTokens: 1024,
    ...overrides,
  };
}
