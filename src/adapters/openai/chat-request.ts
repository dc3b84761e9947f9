import type OpenAI from 'openai';
import type {
  ChatMessage,
  ModelRequest,
  ToolDefinition,
  ToolResultBlock,
} from '../../plugins/interfaces/ai-provider.js';

type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type FunctionTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;

/** OpenAI's limit on a function's name: a-z, A-Z, 0-9, underscores and dashes, at most 64. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Put before a tool result the tool reported as failed: Chat Completions has no is_error flag. */
export const TOOL_ERROR_PREFIX = '[the tool reported an error]\n';

/**
 * Our request in Chat Completions terms, for `chat.completions.create`.
 *
 * Only what every OpenAI-compatible server takes is sent: the system text as one `system`
 * message (vLLM, Ollama and older Azure API versions refuse content-part arrays or the
 * `developer` role there), tools as function tools, `max_completion_tokens`. Prompt caching needs
 * nothing: OpenAI caches a request's stable prefix (tools, system text, the conversation so
 * far) by itself, so `request.cache` has nothing to mark, and no `prompt_cache_key` is sent
 * because Azure refuses arguments it does not know.
 */
export function toChatParams(
  request: ModelRequest,
): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
  const system = request.system
    .map((block) => block.text)
    .filter((text) => text !== '')
    .join('\n\n');
  const tools = request.tools.map(toolParam);
  return {
    model: request.model,
    messages: [
      ...(system === '' ? [] : [{ role: 'system' as const, content: system }]),
      ...request.messages.flatMap(toMessageParams),
    ],
    // An empty tool list is sent as absent: OpenAI refuses `tools: []`.
    ...(tools.length > 0 ? { tools } : {}),
    max_completion_tokens: request.maxTokens,
  };
}

/**
 * A tool as a function tool. Anthropic's native bash and editor tools have no OpenAI type, so
 * they go as functions with the JSON Schema that describes the same input (their names, `bash`
 * and `str_replace_based_edit_tool`, are valid function names).
 */
function toolParam(tool: ToolDefinition): FunctionTool {
  if (!FUNCTION_NAME.test(tool.name))
    throw new Error(
      `the tool name ${JSON.stringify(tool.name)} is not a valid OpenAI function name (letters, digits, _ and -, at most 64)`,
    );
  return {
    type: 'function',
    function: {
      name: tool.name,
      description: tool.description,
      parameters: { ...tool.inputSchema, type: 'object' },
    },
  };
}

/**
 * One of our messages as Chat Completions messages. A user turn carrying tool results becomes
 * one `tool` message per result first (they must follow the assistant message whose calls they
 * answer), then a `user` message with its text, if it has any.
 */
function toMessageParams(message: ChatMessage): MessageParam[] {
  const texts = message.content.flatMap((b) =>
    b.type === 'text' && b.text !== '' ? [b.text] : [],
  );
  if (message.role === 'assistant') {
    const calls = message.content.flatMap((b) =>
      b.type === 'tool_use'
        ? [
            {
              id: b.id,
              type: 'function' as const,
              function: { name: b.name, arguments: JSON.stringify(b.input) },
            },
          ]
        : [],
    );
    return [
      {
        role: 'assistant',
        // Without text the content is null beside tool calls (as OpenAI sends it), else empty.
        content: texts.length > 0 ? texts.join('\n\n') : calls.length > 0 ? null : '',
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
    ];
  }
  const results = message.content.filter((b): b is ToolResultBlock => b.type === 'tool_result');
  return [
    ...results.map((result): MessageParam => ({
      role: 'tool',
      tool_call_id: result.toolUseId,
      content: result.isError === true ? TOOL_ERROR_PREFIX + result.content : result.content,
    })),
    ...(texts.length > 0 || results.length === 0
      ? [{ role: 'user' as const, content: texts.join('\n\n') }]
      : []),
  ];
}
