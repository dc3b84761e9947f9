/**
 * Rules Anthropic enforces beyond the shape of a request, each with the message its 400
 * invalid_request_error carries. Returns the first broken rule, or undefined.
 */

type Json = Readonly<Record<string, unknown>>;
type Message = { readonly role: string; readonly content: string | readonly Json[] };

export const MAX_CACHE_CONTROL_BLOCKS = 4;

const blocksOf = (content: Message['content']): readonly Json[] =>
  typeof content === 'string' ? [] : content;

/** Every block that can carry cache_control: tools, system blocks, message blocks and the blocks inside tool results. */
function markedBlocks(body: Json): number {
  const marked = (block: unknown) =>
    typeof block === 'object' &&
    block !== null &&
    'cache_control' in block &&
    block.cache_control != null;
  const system = Array.isArray(body.system) ? (body.system as Json[]) : [];
  const tools = (body.tools as Json[] | undefined) ?? [];
  const messages = (body.messages as Message[] | undefined) ?? [];
  const inner = messages.flatMap((m) =>
    blocksOf(m.content).flatMap((b) => (Array.isArray(b.content) ? (b.content as Json[]) : [])),
  );
  const blocks = [...tools, ...system, ...messages.flatMap((m) => blocksOf(m.content)), ...inner];
  return blocks.filter(marked).length + (marked(body) ? 1 : 0);
}

function checkCacheControl(body: Json): string | undefined {
  const found = markedBlocks(body);
  return found > MAX_CACHE_CONTROL_BLOCKS
    ? `A maximum of ${MAX_CACHE_CONTROL_BLOCKS} blocks with cache_control may be provided. Found ${found}.`
    : undefined;
}

function checkTexts(body: Json, messages: readonly Message[]): string | undefined {
  const empty = (b: Json) => b.type === 'text' && b.text === '';
  if (Array.isArray(body.system) && (body.system as Json[]).some(empty))
    return 'system: text content blocks must be non-empty';
  for (const [i, message] of messages.entries()) {
    const last = i === messages.length - 1 && message.role === 'assistant';
    if (!last && (message.content === '' || message.content.length === 0))
      return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
    if (blocksOf(message.content).some(empty))
      return `messages.${i}: text content blocks must be non-empty`;
  }
  return undefined;
}

function toolUseIds(message: Message | undefined): string[] {
  if (message?.role !== 'assistant') return [];
  return blocksOf(message.content)
    .filter((b) => b.type === 'tool_use')
    .map((b) => String(b.id));
}

/** Each tool_result answers a tool_use of the message just before, and each tool_use is answered. */
function checkToolPairs(messages: readonly Message[]): string | undefined {
  for (const [i, message] of messages.entries()) {
    const results = blocksOf(message.content).filter((b) => b.type === 'tool_result');
    const asked = toolUseIds(messages[i - 1]);
    for (const [j, result] of results.entries())
      if (message.role !== 'user' || !asked.includes(String(result.tool_use_id)))
        return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(result.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
    const next = messages[i + 1];
    if (next === undefined || message.role !== 'assistant') continue;
    const answered = new Set(blocksOf(next.content).map((b) => String(b.tool_use_id)));
    const missing = toolUseIds(message).filter((id) => !answered.has(id));
    if (missing.length > 0)
      return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
  }
  return undefined;
}

function checkTools(body: Json): string | undefined {
  const names = ((body.tools as Json[] | undefined) ?? []).map((t) => String(t.name));
  return new Set(names).size === names.length ? undefined : 'tools: Tool names must be unique.';
}

/** The broken rule's message, checked in the order Anthropic reports them. */
export function checkMessagesRequest(body: Json): string | undefined {
  const messages = (body.messages as Message[] | undefined) ?? [];
  if (messages.length === 0) return 'messages: at least one message is required';
  const conversation = messages.filter((m) => m.role !== 'system');
  if (conversation[0]?.role !== 'user') return 'messages: first message must use the "user" role';
  return (
    checkTools(body) ??
    checkCacheControl(body) ??
    checkTexts(body, messages) ??
    checkToolPairs(messages)
  );
}
