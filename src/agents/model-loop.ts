import { z } from 'zod';
import type { CallMeta, MeteredProvider } from '../costs/metered-provider.js';
import { formatUsd, parseUsd } from '../costs/money.js';
import { StepError } from '../engine/step-errors.js';
import type {
  ChatMessage,
  ModelRequest,
  ModelResponse,
  SystemBlock,
  ToolDefinition,
  ToolResultBlock,
} from '../plugins/interfaces/ai-provider.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import type { JsonObject } from '../store/sql.js';
import { compact, needsCompaction } from './compaction.js';
import { capText, modelView, type ContextPolicy } from './context-window.js';
import { inToolCallSpan } from './tool-call-span.js';
import { toolFailure } from './tools/tool-failure.js';

/** What a tool gives back to the model; `finish` ends the conversation with a result. */
export interface ToolOutcome {
  readonly content: string;
  readonly isError?: boolean;
  readonly finish?: JsonObject;
}

/** A tool the model may call: its definition, its input schema, and what it does. */
export interface AgentTool {
  readonly definition: ToolDefinition;
  run(input: unknown): Promise<ToolOutcome>;
}

/** Declares a tool whose input is checked with a zod schema (and described by it). */
export function defineTool<S extends z.ZodType>(
  name: string,
  description: string,
  schema: S,
  run: (input: z.output<S>) => Promise<ToolOutcome>,
): AgentTool {
  return {
    definition: {
      name,
      description,
      inputSchema: jsonSchemaOf(schema),
    },
    async run(input) {
      const parsed = schema.safeParse(input);
      if (!parsed.success) {
        const problems = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
          .join('; ');
        return { content: `${name}: the input does not fit: ${problems}`, isError: true };
      }
      return run(parsed.data);
    },
  };
}

/** The JSON Schema of a tool's input, without the `$schema` key providers do not need. */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' });
  return rest as JsonObject;
}

/** A conversation in progress, saved after every turn (JSON all the way down). */
export interface LoopState {
  /** Every message whole (observations capped): what people see in the run log. */
  messages: ChatMessage[];
  turns: number;
  /** What the conversation has cost so far, exact. */
  costUsd: string;
  result: JsonObject | null;
  /**
   * The system text and tool definitions of the first turn. Every later turn, and a step
   * resumed on another worker after the working copy changed, sends exactly these: the prompt
   * prefix stays the one the conversation started with (and stays cached).
   */
  prefix?: RequestPrefix | null;
  /** The prompt size the last answer reported (input, cache reads and writes), in tokens. */
  promptTokens?: number | null;
  /** Turns in a row without a tool call. */
  idleTurns?: number;
  /** How many times the conversation was summarized to fit the window. */
  compactions?: number;
}

export interface RequestPrefix {
  readonly system: readonly SystemBlock[];
  readonly tools: readonly ToolDefinition[];
}

export function newLoopState(firstMessage: string): LoopState {
  return {
    messages: [{ role: 'user', content: [{ type: 'text', text: firstMessage }] }],
    turns: 0,
    costUsd: '0.0000000000',
    result: null,
    prefix: null,
    idleTurns: 0,
    compactions: 0,
  };
}

/** A tool call and what it gave back, whole, for the run log. */
export interface ToolCallRecord {
  readonly turn: number;
  readonly name: string;
  readonly input: JsonObject;
  readonly outcome: ToolOutcome;
}

export interface LoopOptions {
  readonly model: MeteredProvider;
  readonly request: Omit<ModelRequest, 'messages' | 'tools'>;
  readonly tools: readonly AgentTool[];
  readonly state: LoopState;
  readonly maxTurns: number;
  readonly meta: (turn: number) => CallMeta;
  /** Called after every turn with the new state: the checkpoint. */
  readonly save: (state: LoopState) => Promise<void>;
  /** Said to the model when it stops without calling the tool that finishes. */
  readonly nudge: string;
  /** How much of the conversation the model is shown; none: all of it, always. */
  readonly context?: ContextPolicy;
  /** Turns in a row without a tool call before the step gives up (default 3). */
  readonly maxIdleTurns?: number;
  readonly onResponse?: (response: ModelResponse, turn: number) => void;
  readonly onToolCall?: (call: ToolCallRecord) => Promise<void>;
  readonly onCompaction?: (info: { turn: number; promptTokens: number }) => Promise<void>;
  /** A span per tool call, beside the model calls' (#20). */
  readonly monitoring?: Monitoring;
}

/**
 * The tool-use loop: ask the model, run the tools it calls, give it the results, until a tool
 * finishes the conversation. A tool's failure goes back to the model as an error result so it
 * can correct itself; only failures of aidev itself (the sandbox, the database, the budget)
 * end the step. The turn limit stops a model that goes round in circles, the idle limit one
 * that only talks, and the context policy keeps every request within the model's window.
 */
export async function runModelLoop(options: LoopOptions): Promise<JsonObject> {
  const { state } = options;
  state.prefix ??= {
    system: options.request.system,
    tools: options.tools.map((t) => t.definition),
  };
  const prefix = state.prefix;
  const tools = new Map(options.tools.map((t) => [t.definition.name, t]));
  while (state.result === null) {
    if (state.turns >= options.maxTurns)
      throw new StepError(
        `the agent used its ${options.maxTurns} model turns without finishing; raise ai.max_turns or narrow the task`,
        { code: 'agent_turn_limit' },
      );
    if (needsCompaction(state, options.context)) addCost(state, await compact(options, prefix));
    const messages =
      options.context === undefined ? state.messages : modelView(state.messages, options.context);
    const { response, costUsd } = await options.model.complete(
      { ...options.request, system: prefix.system, tools: prefix.tools, messages },
      options.meta(state.turns),
    );
    state.turns += 1;
    addCost(state, costUsd);
    state.promptTokens = promptTokensOf(response);
    state.messages.push({ role: 'assistant', content: response.content });
    options.onResponse?.(response, state.turns);
    const uses = response.content.filter((b) => b.type === 'tool_use');
    if (uses.length === 0) idle(state, response, options);
    else {
      state.idleTurns = 0;
      const results: ToolResultBlock[] = [];
      for (const use of uses) {
        const outcome =
          response.stopReason === 'max_tokens'
            ? CUT_OFF
            : use.inputError !== undefined
              ? unreadable(use.inputError)
              : await inToolCallSpan(options.monitoring, use, () =>
                  runTool(tools, use.name, use.input),
                );
        if (outcome.finish !== undefined && state.result === null) state.result = outcome.finish;
        await options.onToolCall?.({
          turn: state.turns,
          name: use.name,
          input: use.input,
          outcome,
        });
        const max = options.context?.maxObservationChars;
        results.push({
          type: 'tool_result',
          toolUseId: use.id,
          content: max === undefined ? outcome.content : capText(outcome.content, max),
          ...(outcome.isError === true ? { isError: true } : {}),
        });
      }
      state.messages.push({ role: 'user', content: results });
    }
    await options.save(state);
  }
  return state.result;
}

const CUT_OFF: ToolOutcome = {
  content:
    'this call was cut off at the output limit before its input was complete, so it was not run; send it again in smaller pieces (e.g. create a file in parts, or str_replace a smaller region)',
  isError: true,
};

/** A call whose input the provider could not read: not run, and the model told why. */
function unreadable(problem: string): ToolOutcome {
  return {
    content: `this call was not run: its input could not be read (${problem}); send it again with the input as one JSON object`,
    isError: true,
  };
}

/** A turn without a tool call: a nudge, or the end of a step whose model will not go on. */
function idle(state: LoopState, response: ModelResponse, options: LoopOptions): void {
  if (response.stopReason === 'refusal')
    throw new StepError(
      'the model declined to go on with this task (stop reason: refusal); reword the task or plan and retry',
      { code: 'model_refused' },
    );
  state.idleTurns = (state.idleTurns ?? 0) + 1;
  const most = options.maxIdleTurns ?? 3;
  if (state.idleTurns > most)
    throw new StepError(
      `the model answered ${state.idleTurns} turns in a row without using a tool; it did not go on with the task`,
      { code: 'agent_stalled' },
    );
  const text =
    response.stopReason === 'max_tokens'
      ? 'Your answer was cut off at the output limit. Go on, in smaller steps, using the tools.'
      : options.nudge;
  state.messages.push({ role: 'user', content: [{ type: 'text', text }] });
}

function addCost(state: LoopState, costUsd: string): void {
  state.costUsd = formatUsd(parseUsd(state.costUsd) + parseUsd(costUsd));
}

/** The prompt's size as the provider billed it: fresh input, cache writes and cache reads. */
function promptTokensOf(response: ModelResponse): number {
  const u = response.usage;
  return u.inputTokens + u.cacheWriteTokens + u.cacheReadTokens + u.outputTokens;
}

/**
 * Runs one tool call. Every failure the model caused and can act on (a missing path, a
 * directory read as a file, an edit that does not match) goes back to it as an error result;
 * only aidev's own failures (no sandbox, the database, the budget) end the step.
 */
async function runTool(
  tools: ReadonlyMap<string, AgentTool>,
  name: string,
  input: JsonObject,
): Promise<ToolOutcome> {
  const tool = tools.get(name);
  if (tool === undefined)
    return {
      content: `there is no tool named ${name}; the tools are ${[...tools.keys()].join(', ')}`,
      isError: true,
    };
  try {
    return await tool.run(input);
  } catch (error) {
    const outcome = toolFailure(error);
    if (outcome !== undefined) return outcome;
    throw error;
  }
}
