import type { ModelRequest } from '../plugins/interfaces/ai-provider.js';

/** What a provider puts in front of a native tool (Anthropic: ~250 for bash, ~700 for the editor). */
const NATIVE_TOOL_TOKENS = 1_000;

/**
 * A request's input size in tokens, estimated locally for the budget hold before the call (the
 * call's reported usage settles it; no count_tokens request each turn, which costs a request
 * under the rate limit and which some gateways do not offer). About 3 characters a token errs
 * on the high side for code and prose.
 */
export function estimateInputTokens(request: ModelRequest): number {
  let chars = JSON.stringify(request.tools.filter((t) => t.native === undefined)).length;
  for (const block of request.system) chars += block.text.length;
  for (const message of request.messages)
    for (const block of message.content)
      chars +=
        block.type === 'text'
          ? block.text.length
          : block.type === 'tool_result'
            ? block.content.length
            : JSON.stringify(block.input).length + block.name.length;
  const native = request.tools.filter((t) => t.native !== undefined).length;
  return Math.ceil(chars / 3) + 8 * request.messages.length + NATIVE_TOOL_TOKENS * native;
}
