import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { formatProblem } from '../../errors/problem.js';
import { zodProblems } from '../../errors/zod-problems.js';
import {
  STOP_REASONS,
  type ContentBlock,
  type ModelRequest,
  type ModelResponse,
} from '../../plugins/interfaces/ai-provider.js';

/**
 * The transcript file (`aidev-transcript/1`, JSON): for each conversation name
 * (`development/implement`, `planning/plan`, …) one or more recorded conversations, each a
 * list of turns — the request as aidev sent it and the response as the model gave it, with its
 * token usage. Documented in docs/transcripts.md.
 */
export const TRANSCRIPT_FORMAT = 'aidev-transcript/1';

const usage = z.strictObject({
  input_tokens: z.number().int().min(0),
  output_tokens: z.number().int().min(0),
  cache_creation_input_tokens: z.number().int().min(0).default(0),
  cache_creation_1h_input_tokens: z.number().int().min(0).default(0),
  cache_read_input_tokens: z.number().int().min(0).default(0),
});

const responseBlock = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string() }),
  z.strictObject({
    type: z.literal('tool_use'),
    id: z.string().min(1),
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
  }),
]);

const turn = z.strictObject({
  /** The request in its recorded form; values may be loosened with `$regex` / `$any`. */
  request: z.record(z.string(), z.unknown()),
  response: z.strictObject({
    id: z.string(),
    model: z.string(),
    content: z.array(responseBlock),
    stop_reason: z.enum(STOP_REASONS),
    usage,
  }),
});
export type RecordedTurn = z.output<typeof turn>;

export const transcriptSchema = z.strictObject({
  format: z.literal(TRANSCRIPT_FORMAT),
  description: z.string().optional(),
  /** Where the responses came from: a model (recorded with --record) or a script. */
  source: z.string(),
  conversations: z.record(z.string(), z.array(z.array(turn).min(1)).min(1)),
});
export type Transcript = z.output<typeof transcriptSchema>;

export function loadTranscript(file: string): Transcript {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new AppError(
      'config_invalid',
      `cannot read the transcript ${file}: ${(error as Error).message}`,
    );
  }
  const parsed = transcriptSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    throw new AppError(
      'config_invalid',
      `the transcript ${file} is not an ${TRANSCRIPT_FORMAT} file: ${zodProblems(parsed.error).map(formatProblem).join('; ')}`,
    );
  return parsed.data;
}

/** A request as a transcript records it: what decides the answer, in the wire's words. */
export function recordedRequest(request: ModelRequest): Record<string, unknown> {
  return {
    model: request.model,
    max_tokens: request.maxTokens,
    system: request.system.map((s) => s.text),
    tools: request.tools.map((t) => t.name),
    messages: request.messages.map((m) => ({ role: m.role, content: m.content.map(block) })),
  };
}

function block(b: ContentBlock): Record<string, unknown> {
  switch (b.type) {
    case 'text':
      return { type: 'text', text: b.text };
    case 'tool_use':
      return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: b.toolUseId,
        content: b.content,
        ...(b.isError === true ? { is_error: true } : {}),
      };
  }
}

export function recordedResponse(response: ModelResponse): RecordedTurn['response'] {
  return {
    id: response.id,
    model: response.model,
    content: response.content.map((b) => ({ ...b })),
    stop_reason: response.stopReason,
    usage: {
      input_tokens: response.usage.inputTokens,
      output_tokens: response.usage.outputTokens,
      cache_creation_input_tokens: response.usage.cacheWriteTokens,
      cache_creation_1h_input_tokens: response.usage.cacheWrite1hTokens ?? 0,
      cache_read_input_tokens: response.usage.cacheReadTokens,
    },
  };
}

export function replayedResponse(recorded: RecordedTurn['response']): ModelResponse {
  return {
    id: recorded.id,
    model: recorded.model,
    content: recorded.content.map((b) =>
      b.type === 'text'
        ? { type: 'text', text: b.text }
        : { type: 'tool_use', id: b.id, name: b.name, input: b.input as never },
    ),
    stopReason: recorded.stop_reason,
    usage: {
      inputTokens: recorded.usage.input_tokens,
      outputTokens: recorded.usage.output_tokens,
      cacheWriteTokens: recorded.usage.cache_creation_input_tokens,
      cacheWrite1hTokens: recorded.usage.cache_creation_1h_input_tokens,
      cacheReadTokens: recorded.usage.cache_read_input_tokens,
    },
  };
}
