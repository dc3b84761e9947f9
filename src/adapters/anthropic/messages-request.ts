import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../../log/create-logger.js';
import type {
  ChatMessage,
  ContentBlock,
  ModelRequest,
  SystemBlock,
} from '../../plugins/interfaces/ai-provider.js';

type TextBlockParam = Anthropic.TextBlockParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

/** Anthropic refuses a request with more blocks marked for caching than this. */
export const MAX_CACHE_BREAKPOINTS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;

/** The parts of a Messages request that `messages.create` and `messages.countTokens` share. */
export interface PromptParams {
  readonly model: string;
  readonly system?: TextBlockParam[];
  readonly tools?: Anthropic.Tool[];
  readonly messages: Anthropic.MessageParam[];
}

/**
 * Our request in the Messages API's terms, for `messages.create`. (No sampling parameters:
 * API version 2026-10-21, which SDK 1.x speaks, refuses temperature, top_p and top_k.)
 */
export function toCreateParams(
  request: ModelRequest,
  log: Logger,
): Anthropic.MessageCreateParamsNonStreaming {
  return { ...toPromptParams(request, log), max_tokens: request.maxTokens };
}

/** The prompt alone (count_tokens refuses `max_tokens` as an unknown field). */
export function toPromptParams(request: ModelRequest, log: Logger): PromptParams {
  const systemCaching = cachedSystemBlocks(request, log);
  const system = request.system
    .filter((block) => block.text !== '')
    .map((block) => systemBlock(block, systemCaching.has(block)));
  const tools = request.tools.map((tool, index): Anthropic.Tool => ({
    name: tool.name,
    description: tool.description,
    input_schema: { ...tool.inputSchema, type: 'object' },
    ...(request.cache?.tools === true && index === request.tools.length - 1
      ? { cache_control: EPHEMERAL }
      : {}),
  }));
  const messages = request.messages.map((message, index) =>
    toMessageParam(
      message,
      request.cache?.conversation === true && index === request.messages.length - 1,
    ),
  );
  return {
    model: request.model,
    // An empty system array or tool list is sent as absent: the API refuses empty text blocks.
    ...(system.length > 0 ? { system } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    messages,
  };
}

function systemBlock(block: SystemBlock, cache: boolean): TextBlockParam {
  return { type: 'text', text: block.text, ...(cache ? { cache_control: EPHEMERAL } : {}) };
}

/**
 * The system blocks that keep their cache mark. The tools and the conversation tail come first
 * (they end the longest prefixes); the earliest system marks are dropped when the request would
 * otherwise exceed Anthropic's limit, because a later mark already covers the text before it.
 */
function cachedSystemBlocks(request: ModelRequest, log: Logger): Set<SystemBlock> {
  const marked = request.system.filter((block) => block.cache === true && block.text !== '');
  const others =
    (request.cache?.tools === true && request.tools.length > 0 ? 1 : 0) +
    (request.cache?.conversation === true && request.messages.length > 0 ? 1 : 0);
  const room = Math.max(0, MAX_CACHE_BREAKPOINTS - others);
  if (marked.length > room)
    log.debug(
      { systemMarks: marked.length, kept: room },
      `anthropic: ${marked.length - room} earliest system cache mark(s) dropped: at most ${MAX_CACHE_BREAKPOINTS} cache breakpoints per request, and the tools and conversation marks cover longer prefixes`,
    );
  return new Set(marked.slice(Math.max(0, marked.length - room)));
}

function toMessageParam(message: ChatMessage, cacheLast: boolean): Anthropic.MessageParam {
  const content = message.content.map((block, index) =>
    toBlockParam(block, cacheLast && index === message.content.length - 1),
  );
  return message.role === 'user' ? { role: 'user', content } : { role: 'assistant', content };
}

function toBlockParam(block: ContentBlock, cache: boolean): ContentBlockParam {
  const mark = cache ? { cache_control: EPHEMERAL } : {};
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text, ...mark };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input, ...mark };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.toolUseId,
        content: block.content,
        is_error: block.isError === true,
        ...mark,
      };
  }
}
