/**
 * Rules OpenAI enforces beyond the shape of a Chat Completions request, each with the message of
 * its 400 invalid_request_error. Returns the first broken rule, or undefined.
 */

type Json = Readonly<Record<string, unknown>>;

export interface BrokenRule {
  readonly message: string;
  readonly param: string | null;
  readonly code: string | null;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

function checkTools(body: Json): BrokenRule | undefined {
  if (body.tools === undefined) return undefined;
  const tools = body.tools as Json[];
  if (tools.length === 0)
    return {
      message:
        "Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      param: 'tools',
      code: 'empty_array',
    };
  for (const [i, tool] of tools.entries()) {
    const name = String((tool.function as Json | undefined)?.name);
    if (!FUNCTION_NAME.test(name))
      return {
        message: `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        param: `tools[${i}].function.name`,
        code: 'invalid_value',
      };
  }
  return undefined;
}

/** Each tool message answers a call of the assistant message before it, and every call is answered. */
function checkToolMessages(messages: readonly Json[]): BrokenRule | undefined {
  let open: string[] = [];
  let answering = false;
  for (const [i, message] of messages.entries()) {
    if (message.role === 'tool') {
      const id = String(message.tool_call_id);
      if (!answering || !open.includes(id))
        return {
          message: `Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.`,
          param: `messages.[${i}].role`,
          code: null,
        };
      open = open.filter((o) => o !== id);
      continue;
    }
    if (open.length > 0) return unanswered(open);
    const calls =
      message.role === 'assistant' ? ((message.tool_calls as Json[] | undefined) ?? []) : [];
    open = calls.map((c) => String(c.id));
    answering = open.length > 0;
  }
  return open.length > 0 ? unanswered(open) : undefined;
}

function unanswered(open: readonly string[]): BrokenRule {
  return {
    message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${open.join(', ')}`,
    param: 'messages',
    code: null,
  };
}

/** The broken rule, checked in the order OpenAI reports them. */
export function checkChatRequest(body: Json, reasoningModel: boolean): BrokenRule | undefined {
  if (reasoningModel && body.max_tokens !== undefined && body.max_tokens !== null)
    return {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      param: 'max_tokens',
      code: 'unsupported_parameter',
    };
  return checkTools(body) ?? checkToolMessages((body.messages as Json[] | undefined) ?? []);
}
