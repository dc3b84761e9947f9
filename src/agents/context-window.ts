import type { ChatMessage, ContentBlock, ToolUseBlock } from '../plugins/interfaces/ai-provider.js';
import type { JsonObject, JsonValue } from '../store/sql.js';

/**
 * How much of a conversation the model is shown. The saved conversation (and the run log) keep
 * every observation whole; what a model call sends is bounded: each observation capped, the old
 * ones replaced by a one-line stub, and the whole summarized when it nears the window.
 */
export interface ContextPolicy {
  /** The model's context window, in tokens. */
  readonly windowTokens: number;
  /** Compact when the last prompt reached this share of the window (0–1). */
  readonly compactAt: number;
  /** Tool results of the last N tool turns are shown whole; older ones as a stub. */
  readonly keepObservations: number;
  /** The most of one tool result the model sees, in characters (head and tail kept). */
  readonly maxObservationChars: number;
}

export const DEFAULT_CONTEXT_POLICY: ContextPolicy = {
  windowTokens: 200_000,
  compactAt: 0.7,
  keepObservations: 8,
  maxObservationChars: 24_000,
};

/** Text cut to `max` characters: its head and tail, with what was left out said in between. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - 120);
  const head = text.slice(0, Math.ceil(keep * 0.4));
  const tail = text.slice(text.length - Math.floor(keep * 0.6));
  const omitted = text.slice(head.length, text.length - tail.length);
  const lines = omitted.split('\n').length - 1;
  return `${head}\n[… ${omitted.length} characters (${lines} lines) omitted: narrow the command or view a range …]\n${tail}`;
}

/**
 * The conversation as the model sees it this turn: tool results and long tool inputs older
 * than the last `keepObservations` tool turns become stubs. The boundary moves in steps of
 * half that many turns, so the prefix stays the same (and cached) for several turns.
 */
export function modelView(
  messages: readonly ChatMessage[],
  policy: ContextPolicy,
): readonly ChatMessage[] {
  const toolTurns = messages
    .map((m, i) => (m.role === 'user' && m.content.some((b) => b.type === 'tool_result') ? i : -1))
    .filter((i) => i >= 0);
  const step = Math.max(1, Math.floor(policy.keepObservations / 2));
  const elided = Math.max(0, toolTurns.length - policy.keepObservations);
  const boundary = toolTurns[Math.floor(elided / step) * step];
  if (elided === 0 || boundary === undefined) return messages;
  const uses = new Map<string, ToolUseBlock>();
  for (const m of messages) for (const b of m.content) if (b.type === 'tool_use') uses.set(b.id, b);
  return messages.map((message, index) =>
    index >= boundary ? message : { ...message, content: message.content.map(stubOf(uses)) },
  );
}

const LONG_INPUT = 400;

function stubOf(uses: ReadonlyMap<string, ToolUseBlock>) {
  return (block: ContentBlock): ContentBlock => {
    if (block.type === 'tool_result') {
      if (block.content.length <= LONG_INPUT) return block;
      const use = uses.get(block.toolUseId);
      const what = use === undefined ? 'a tool' : `${use.name} ${briefInput(use.input)}`;
      const lines = block.content.split('\n').length;
      return {
        ...block,
        content: `[elided to save context: the ${lines}-line output of ${what}; run it again if you need it]`,
      };
    }
    if (block.type === 'tool_use') return { ...block, input: shortened(block.input) };
    return block;
  };
}

/** A tool input in a few words, for a stub or a log line. */
export function briefInput(input: JsonObject): string {
  const text = JSON.stringify(shortened(input, 60));
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

function shortened(input: JsonObject, max = LONG_INPUT): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(input))
    out[key] =
      typeof value === 'string' && value.length > max
        ? `${value.slice(0, Math.min(max, 60))}[… ${value.length} characters elided]`
        : value;
  return out;
}
