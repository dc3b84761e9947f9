import type { TokenUsage } from '../../costs/price-table.js';
import type { Logger } from '../../log/create-logger.js';
import type {
  ModelResponse,
  StopReason,
  TextBlock,
  ToolUseBlock,
} from '../../plugins/interfaces/ai-provider.js';
import { VendorError } from '../../resilience/vendor-error.js';
import type { JsonObject } from '../../store/sql.js';

const SERVICE = 'openai';

/** An answer we cannot use as it stands: never retried, never billed as zero. */
export function invalidResponse(problem: string): VendorError {
  return new VendorError(`OpenAI sent an answer aidev cannot use: ${problem}`, {
    service: SERVICE,
    code: 'invalid_response',
    retryable: false,
  });
}

type Fields = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAI's finish reasons in the Messages API's terms. */
const FINISH_REASONS: Readonly<Record<string, StopReason>> = {
  stop: 'end_turn',
  tool_calls: 'tool_use',
  // The deprecated single function call, as some gateways still report it.
  function_call: 'tool_use',
  length: 'max_tokens',
  content_filter: 'refusal',
};

/**
 * A chat completion in our terms. The SDK does not validate what the server sends (and a
 * compatible gateway may send less than OpenAI does), so the shape is checked here: a cost
 * entry is only as good as the usage it is computed from.
 */
export function fromChatCompletion(completion: unknown, log: Logger): ModelResponse {
  if (!isObject(completion)) throw invalidResponse('the body is not a JSON object');
  const { id, model, choices } = completion;
  if (typeof id !== 'string' || typeof model !== 'string')
    throw invalidResponse('the completion has no id or model');
  if (!Array.isArray(choices) || !isObject(choices[0]))
    throw invalidResponse(`completion ${id} has no choices`);
  const choice = choices[0];
  if (!isObject(choice.message)) throw invalidResponse(`completion ${id} has no message`);
  const content = contentOf(id, choice.message, log);
  return {
    id,
    model,
    content,
    stopReason: stopReasonOf(id, choice.finish_reason, content),
    usage: toTokenUsage(id, completion.usage),
  };
}

function contentOf(id: string, message: Fields, log: Logger): (TextBlock | ToolUseBlock)[] {
  const blocks: (TextBlock | ToolUseBlock)[] = [];
  if (typeof message.content === 'string' && message.content !== '')
    blocks.push({ type: 'text', text: message.content });
  // A refusal is the model's own words; the stop reason says it refused.
  if (typeof message.refusal === 'string' && message.refusal !== '')
    blocks.push({ type: 'text', text: message.refusal });
  const calls = message.tool_calls ?? [];
  if (!Array.isArray(calls)) throw invalidResponse(`completion ${id} has a malformed tool_calls`);
  for (const call of calls) {
    if (!isObject(call) || !isObject(call.function) || typeof call.id !== 'string')
      throw invalidResponse(`completion ${id} has a tool call without id or function`);
    const { name, arguments: args } = call.function;
    if (call.type !== 'function' || typeof name !== 'string' || typeof args !== 'string')
      throw invalidResponse(
        `completion ${id} has a tool call of type ${JSON.stringify(call.type)} without a function name and arguments`,
      );
    blocks.push(toolUse(id, { id: call.id, name, args }, log));
  }
  return blocks;
}

/**
 * A function call's arguments as an object. A model may write broken JSON (a truncated string,
 * a trailing comma): that is its mistake to correct, not a failed call, so the call is handed on
 * with the problem (`inputError`) and an empty input, and the agent tells the model.
 */
function toolUse(
  id: string,
  call: { id: string; name: string; args: string },
  log: Logger,
): ToolUseBlock {
  const use = { type: 'tool_use' as const, id: call.id, name: call.name };
  let problem: string;
  try {
    const parsed: unknown = call.args.trim() === '' ? {} : JSON.parse(call.args);
    if (isObject(parsed)) return { ...use, input: parsed as JsonObject };
    problem = `the arguments are JSON ${Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`;
  } catch (error) {
    problem = `the arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  log.warn(
    { completionId: id, tool: call.name, length: call.args.length },
    `openai: the model called ${call.name} with unreadable arguments: ${problem}`,
  );
  return { ...use, input: {}, inputError: problem };
}

function stopReasonOf(
  id: string,
  reason: unknown,
  content: readonly (TextBlock | ToolUseBlock)[],
): StopReason {
  const mapped = typeof reason === 'string' ? FINISH_REASONS[reason] : undefined;
  if (mapped === undefined)
    throw invalidResponse(`completion ${id} has the finish reason ${JSON.stringify(reason)}`);
  // Some gateways (Ollama) say `stop` for an answer that calls tools: the calls are what counts.
  return mapped === 'end_turn' && content.some((b) => b.type === 'tool_use') ? 'tool_use' : mapped;
}

/** A token count as OpenAI must send it: a whole number, zero or more. */
function count(id: string, fields: Fields, path: string, field: string, optional: boolean): number {
  const value = fields[field];
  if (optional && (value === undefined || value === null)) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalidResponse(
      `completion ${id} reports ${path}${field} as ${JSON.stringify(value)}, not a whole number of tokens`,
    );
  return value;
}

/**
 * OpenAI's usage as our TokenUsage. `prompt_tokens` counts every input token, those read from
 * the prompt cache (`prompt_tokens_details.cached_tokens`) included: they are priced at the
 * cached rate and only the rest at the input rate. OpenAI charges nothing extra for writing the
 * cache, so no token is a cache write. `completion_tokens` includes reasoning tokens, which are
 * billed as output.
 */
export function toTokenUsage(id: string, usage: unknown): TokenUsage {
  if (!isObject(usage))
    throw invalidResponse(`completion ${id} has no usage, so its cost cannot be recorded`);
  const prompt = count(id, usage, 'usage.', 'prompt_tokens', false);
  const outputTokens = count(id, usage, 'usage.', 'completion_tokens', false);
  const details = usage.prompt_tokens_details;
  if (details !== undefined && details !== null && !isObject(details))
    throw invalidResponse(`completion ${id} has a malformed usage.prompt_tokens_details`);
  const cached = isObject(details)
    ? count(id, details, 'usage.prompt_tokens_details.', 'cached_tokens', true)
    : 0;
  if (cached > prompt)
    throw invalidResponse(
      `completion ${id} reports ${cached} cached tokens of only ${prompt} prompt tokens`,
    );
  return {
    inputTokens: prompt - cached,
    outputTokens,
    cacheWriteTokens: 0,
    cacheReadTokens: cached,
  };
}
