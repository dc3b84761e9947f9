import type { TokenUsage } from '../../costs/price-table.js';
import type { Logger } from '../../log/create-logger.js';
import {
  STOP_REASONS,
  type ModelResponse,
  type StopReason,
  type TextBlock,
  type ToolUseBlock,
} from '../../plugins/interfaces/ai-provider.js';
import type { JsonObject } from '../../store/sql.js';
import { VendorError } from '../../resilience/vendor-error.js';

const SERVICE = 'anthropic';

const KNOWN_STOP_REASONS: ReadonlySet<string> = new Set<StopReason>(STOP_REASONS);

/** An answer we cannot use as it stands: never retried, never billed as zero. */
export function invalidResponse(problem: string): VendorError {
  return new VendorError(`Anthropic sent an answer aidev cannot use: ${problem}`, {
    service: SERVICE,
    code: 'invalid_response',
    retryable: false,
  });
}

type Fields = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A Messages API answer in our terms. The SDK does not validate what the server sends, so the
 * shape is checked here: a cost entry is only as good as the usage it is computed from.
 */
export function fromMessage(message: unknown, log: Logger): ModelResponse {
  if (!isObject(message)) throw invalidResponse('the body is not a JSON object');
  const { id, model, content } = message;
  if (typeof id !== 'string' || typeof model !== 'string')
    throw invalidResponse('the message has no id or model');
  if (!Array.isArray(content)) throw invalidResponse(`message ${id} has no content list`);
  return {
    id,
    model,
    content: contentOf(id, content, log),
    stopReason: stopReasonOf(id, message.stop_reason, log),
    usage: toTokenUsage(id, message.usage),
  };
}

function contentOf(id: string, content: readonly unknown[], log: Logger) {
  const blocks: (TextBlock | ToolUseBlock)[] = [];
  const ignored: string[] = [];
  for (const block of content) {
    if (!isObject(block))
      throw invalidResponse(`message ${id} has a content block that is not an object`);
    if (block.type === 'text' && typeof block.text === 'string') {
      blocks.push({ type: 'text', text: block.text });
    } else if (block.type === 'tool_use') {
      const { id: callId, name, input } = block;
      if (typeof callId !== 'string' || typeof name !== 'string' || !isObject(input))
        throw invalidResponse(
          `message ${id} has a tool_use block without id, name or input object`,
        );
      blocks.push({ type: 'tool_use', id: callId, name, input: input as JsonObject });
    } else {
      ignored.push(String(block.type));
    }
  }
  // aidev asks for neither thinking nor server tools; anything else is dropped, but said.
  if (ignored.length > 0)
    log.warn(
      { messageId: id, ignored },
      `anthropic: ignored content blocks of types ${[...new Set(ignored)].join(', ')}`,
    );
  return blocks;
}

function stopReasonOf(id: string, reason: unknown, log: Logger): StopReason {
  if (typeof reason === 'string' && KNOWN_STOP_REASONS.has(reason)) return reason as StopReason;
  // The model ran into the context window while writing: for the caller, a length stop.
  if (reason === 'model_context_window_exceeded') {
    log.warn({ messageId: id }, 'anthropic: the answer stopped at the context window limit');
    return 'max_tokens';
  }
  throw invalidResponse(`message ${id} has the stop reason ${JSON.stringify(reason)}`);
}

/** A token count as Anthropic must send it: a whole number, zero or more. */
function count(id: string, usage: Fields, field: string, optional: boolean): number {
  const value = usage[field];
  if (optional && (value === undefined || value === null)) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalidResponse(
      `message ${id} reports usage.${field} as ${JSON.stringify(value)}, not a whole number of tokens`,
    );
  return value;
}

/**
 * Anthropic's usage as our TokenUsage. `cache_creation_input_tokens` is the total written to
 * the cache; `cache_creation` splits it by lifetime. 1-hour writes cost more, so they are
 * taken out of the total (cacheWriteTokens is then the 5-minute part) rather than counted twice.
 */
export function toTokenUsage(id: string, usage: unknown): TokenUsage {
  if (!isObject(usage))
    throw invalidResponse(`message ${id} has no usage, so its cost cannot be recorded`);
  const inputTokens = count(id, usage, 'input_tokens', false);
  const outputTokens = count(id, usage, 'output_tokens', false);
  const cacheReadTokens = count(id, usage, 'cache_read_input_tokens', true);
  const written = count(id, usage, 'cache_creation_input_tokens', true);
  const split = usage.cache_creation;
  if (split === undefined || split === null)
    return { inputTokens, outputTokens, cacheWriteTokens: written, cacheReadTokens };
  if (!isObject(split)) throw invalidResponse(`message ${id} has a malformed usage.cache_creation`);
  const oneHour = count(id, split, 'ephemeral_1h_input_tokens', true);
  const fiveMinutes = count(id, split, 'ephemeral_5m_input_tokens', true);
  if (fiveMinutes + oneHour !== written)
    throw invalidResponse(
      `message ${id} reports ${written} cache write tokens but ${fiveMinutes} (5 min) + ${oneHour} (1 h) by lifetime`,
    );
  return {
    inputTokens,
    outputTokens,
    cacheWriteTokens: fiveMinutes,
    cacheWrite1hTokens: oneHour,
    cacheReadTokens,
  };
}
