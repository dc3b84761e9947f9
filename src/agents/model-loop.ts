import { z } from 'zod';
import type { CallMeta, MeteredProvider } from '../costs/metered-provider.js';
import { formatUsd, parseUsd } from '../costs/money.js';
import { StepError } from '../engine/step-errors.js';
import type {
  ChatMessage,
  ModelRequest,
  ModelResponse,
  ToolDefinition,
  ToolResultBlock,
} from '../plugins/interfaces/ai-provider.js';
import type { JsonObject } from '../store/sql.js';

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
  messages: ChatMessage[];
  turns: number;
  /** What the conversation has cost so far, exact. */
  costUsd: string;
  result: JsonObject | null;
}

export function newLoopState(firstMessage: string): LoopState {
  return {
    messages: [{ role: 'user', content: [{ type: 'text', text: firstMessage }] }],
    turns: 0,
    costUsd: '0.0000000000',
    result: null,
  };
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
  readonly onResponse?: (response: ModelResponse, turn: number) => void;
}

/**
 * The tool-use loop: ask the model, run the tools it calls, give it the results, until a tool
 * finishes the conversation. A tool's refusal goes back to the model as an error result so it
 * can correct itself; only failures of aidev itself (a StepError not meant for the model) end
 * the step. The turn limit stops a model that goes round in circles.
 */
export async function runModelLoop(options: LoopOptions): Promise<JsonObject> {
  const { state } = options;
  const tools = new Map(options.tools.map((t) => [t.definition.name, t]));
  while (state.result === null) {
    if (state.turns >= options.maxTurns)
      throw new StepError(
        `the agent used its ${options.maxTurns} model turns without finishing; raise ai.max_turns or narrow the task`,
        { code: 'agent_turn_limit' },
      );
    const { response, costUsd } = await options.model.complete(
      {
        ...options.request,
        tools: options.tools.map((t) => t.definition),
        messages: state.messages,
      },
      options.meta(state.turns),
    );
    state.turns += 1;
    state.costUsd = formatUsd(parseUsd(state.costUsd) + parseUsd(costUsd));
    state.messages.push({ role: 'assistant', content: response.content });
    options.onResponse?.(response, state.turns);
    const uses = response.content.filter((b) => b.type === 'tool_use');
    if (uses.length === 0) {
      const text =
        response.stopReason === 'max_tokens'
          ? 'Your answer was cut off at the output limit. Go on, in smaller steps, using the tools.'
          : options.nudge;
      state.messages.push({ role: 'user', content: [{ type: 'text', text }] });
    } else {
      const results: ToolResultBlock[] = [];
      for (const use of uses) {
        const outcome = await runTool(tools, use.name, use.input);
        if (outcome.finish !== undefined && state.result === null) state.result = outcome.finish;
        results.push({
          type: 'tool_result',
          toolUseId: use.id,
          content: outcome.content,
          ...(outcome.isError === true ? { isError: true } : {}),
        });
      }
      state.messages.push({ role: 'user', content: results });
    }
    await options.save(state);
  }
  return state.result;
}

/** Errors the model caused and can fix (a bad path, an edit that does not match). */
const MODEL_FIXABLE = new Set([
  'path_refused',
  'edit_refused',
  'not_found',
  'invalid_input',
  'not_a_file',
  'file_too_large',
]);

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
    if (error instanceof StepError && MODEL_FIXABLE.has(error.code))
      return { content: error.message, isError: true };
    throw error;
  }
}
