import { createAnthropicProvider } from '../../../src/adapters/anthropic/anthropic-provider.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type {
  AiProvider,
  ChatMessage,
  ModelRequest,
  ProviderCallOptions,
  SystemBlock,
  ToolDefinition,
} from '../../../src/plugins/interfaces/ai-provider.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { AnthropicServer } from '../../vendors/anthropic/anthropic-server.js';

/** Not deprecated: SDK 1.14 prints a console warning on every call naming claude-sonnet-4-5. */
export const MODEL = 'claude-sonnet-4-6';

/** No rate limit to speak of and short backoffs; tests override what they check. */
export const FAST_GUARD: Partial<GuardSettings> = {
  ratePerSecond: 1000,
  burst: 1000,
  retryBaseMs: 5,
  retryMaxMs: 20,
};

/** The provider as the app builds it: the real SDK, aidev's guard for `anthropic`, the local server. */
export function anthropicProvider(
  server: AnthropicServer,
  logger: Logger,
  options: { apiKey?: string; guard?: Partial<GuardSettings> } = {},
): { provider: AiProvider; guards: Guards } {
  const guards = new Guards(logger, { anthropic: { ...FAST_GUARD, ...options.guard } });
  const provider = createAnthropicProvider({
    apiKey: options.apiKey ?? server.apiKey,
    baseUrl: server.url,
    guard: guards.for('anthropic', server.url),
    logger,
  });
  return { provider, guards };
}

export function callOptions(
  log: Logger,
  signal = new AbortController().signal,
): ProviderCallOptions {
  return { signal, log };
}

/** A paragraph of `tokens` tokens by the server's estimate (four characters each). */
export function filler(label: string, tokens: number): string {
  const text = `${label}: ${'lorem ipsum dolor sit amet, '.repeat(Math.ceil(tokens / 7))}`;
  return text.slice(0, tokens * 4);
}

export const TOOLS: readonly ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a file of the repository, with line numbers.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Path from the repository root' } },
      required: ['path'],
    },
  },
  {
    name: 'edit_file',
    description: 'Replace one exact occurrence of a text in a file.',
    inputSchema: {
      type: 'object',
      properties: { path: { type: 'string' }, old: { type: 'string' }, new: { type: 'string' } },
      required: ['path', 'old', 'new'],
    },
  },
  {
    name: 'run_tests',
    description: 'Run the test command of the repository and return its output.',
    inputSchema: { type: 'object', properties: {} },
  },
];

/** Instructions, then repository context: the stable prefix of an agent's prompt. */
export function agentSystem(cache: boolean): SystemBlock[] {
  return [
    { text: filler('You are the development agent of aidev', 1500), cache },
    { text: filler('Repository context', 3000), cache },
  ];
}

export function userText(text: string): ChatMessage {
  return { role: 'user', content: [{ type: 'text', text }] };
}

export function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    model: MODEL,
    system: [{ text: 'You are terse.' }],
    tools: [],
    messages: [userText('Say hello.')],
    maxTokens: 1024,
    ...overrides,
  };
}
