/**
 * OpenAI's automatic prompt caching, simulated closely enough to check how aidev prices cached
 * tokens: a prompt of at least `minCacheableTokens` (1,024) is cached by itself; a later prompt
 * that starts with the same text reads the longest such prefix from the cache, counted in steps
 * of 128 tokens, and pays the input rate for the rest. No request marks anything.
 *
 * A prompt is read in the order OpenAI puts it together: the tools, then the messages, so that
 * an equal beginning means an equal prefix.
 */

type Json = Readonly<Record<string, unknown>>;

/** A field as text: strings as they are, anything else as JSON. */
const str = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '');

const STEP_TOKENS = 128;
/** How many earlier prompts a model's cache remembers (enough for any one test). */
const KEPT = 200;

/** The server's token estimate: a quarter of the characters, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A message's content as text: a string, or the text of its parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => str((part as Json).text ?? (part as Json).refusal ?? '')).join('');
}

/** One message as the model reads it: its role, its text, the calls it made, the call it answers. */
function messageText(message: Json): string {
  const calls = ((message.tool_calls as Json[] | undefined) ?? []).map((call) => {
    const fn = (call.function ?? {}) as Json;
    return `${str(call.id)} ${str(fn.name)}(${str(fn.arguments)})`;
  });
  const answers = message.tool_call_id === undefined ? '' : ` ${str(message.tool_call_id)}`;
  return `<|${str(message.role)}${answers}|>${contentText(message.content)}${calls.join('')}`;
}

/**
 * The prompt of a Chat Completions request as one text, the tools first as OpenAI puts them: the
 * words the model reads (no JSON quoting of the texts), so that a quarter of its length is near
 * what a tokenizer would count.
 */
export function promptText(body: Json): string {
  const tools = ((body.tools as Json[] | undefined) ?? []).map((tool) => {
    const fn = (tool.function ?? {}) as Json;
    return `<|tool|>${str(fn.name)}: ${str(fn.description ?? '')} ${JSON.stringify(fn.parameters ?? {})}`;
  });
  const messages = ((body.messages as Json[] | undefined) ?? []).map(messageText);
  return [...tools, ...messages].join('\n');
}

export function promptTokens(body: Json): number {
  return estimateTokens(promptText(body));
}

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export class AutomaticCache {
  private readonly prompts = new Map<string, string[]>();

  constructor(private readonly minCacheableTokens = 1024) {}

  /** The tokens of `prompt` read from the cache; the prompt is then cached for later ones. */
  read(model: string, prompt: string): number {
    const earlier = this.prompts.get(model) ?? [];
    const longest = Math.max(0, ...earlier.map((p) => commonPrefix(p, prompt)));
    const tokens = Math.floor(longest / 4);
    const cached = tokens < this.minCacheableTokens ? 0 : tokens - (tokens % STEP_TOKENS);
    if (estimateTokens(prompt) >= this.minCacheableTokens) {
      earlier.push(prompt);
      if (earlier.length > KEPT) earlier.shift();
      this.prompts.set(model, earlier);
    }
    return cached;
  }

  clear(): void {
    this.prompts.clear();
  }
}
