import type Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../../log/create-logger.js';
import type {
  ChatMessage,
  ContentBlock,
  ModelRequest,
  SystemBlock,
  ToolDefinition,
} from '../../plugins/interfaces/ai-provider.js';

type TextBlockParam = Anthropic.TextBlockParam;
type ContentBlockParam = Anthropic.ContentBlockParam;

/** Anthropic refuses a request with more blocks marked for caching than this. */
export const MAX_CACHE_BREAKPOINTS = 4;

const EPHEMERAL = { type: 'ephemeral' } as const;

/** The tool kinds aidev sends: its own (with a schema), Anthropic's bash and text editor. */
export type AnthropicTool =
  Anthropic.Tool | Anthropic.ToolBash20250124 | Anthropic.ToolTextEditor20250728;

/** The parts of a Messages request that `messages.create` and `messages.countTokens` share. */
export interface PromptParams {
  readonly model: string;
  readonly system?: TextBlockParam[];
  readonly tools?: AnthropicTool[];
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
  const tools = request.tools.map((tool, index): AnthropicTool => ({
    ...toolParam(tool),
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

/** Anthropic's own tool types our native tools become, and the names the API requires. */
const NATIVE_TOOLS = {
  bash: { type: 'bash_20250124', name: 'bash' },
  text_editor: { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
} as const;

/**
 * A tool as the Messages API takes it: a native one by its type alone (Claude models are trained
 * on its schema and description), any other with its schema. A native tool under another name is
 * aidev's mistake, refused here rather than by the API in the middle of a run.
 */
function toolParam(tool: ToolDefinition): AnthropicTool {
  if (tool.native === undefined)
    return {
      name: tool.name,
      description: tool.description,
      input_schema: { ...tool.inputSchema, type: 'object' },
    };
  const native = NATIVE_TOOLS[tool.native];
  if (tool.name !== native.name)
    throw new Error(
      `the tool ${JSON.stringify(tool.name)} is marked native '${tool.native}', but Anthropic's ${native.type} tool must be named ${JSON.stringify(native.name)}: rename the tool, or leave native out to send it with its schema`,
    );
  return { ...native };
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
