import type { AgentCall } from '../engine/runners.js';
import { briefInput, capText } from './context-window.js';
import type { ToolCallRecord } from './model-loop.js';
import type { RepositoryInstructions } from './repository-instructions.js';

/** Most of one tool result the run log keeps (the model may have been shown less). */
const MAX_LOGGED_OUTPUT = 64 * 1024;

/**
 * Writes each tool call of an agent to the run log with its result: people read there what the
 * agent did, whole, even when the model was shown only a stub of an old observation.
 */
export function logToolCall(call: AgentCall) {
  return (record: ToolCallRecord): Promise<void> =>
    call.record({
      type: 'agent.tool',
      message: `turn ${record.turn}: ${record.name} ${briefInput(record.input)}${record.outcome.isError === true ? ' (error returned to the model)' : ''}`,
      data: {
        turn: record.turn,
        tool: record.name,
        input: record.input,
        output: capText(record.outcome.content, MAX_LOGGED_OUTPUT),
        is_error: record.outcome.isError === true,
      },
    });
}

/** Which instructions an agent was given, once, when its conversation starts. */
export function logInstructions(
  call: AgentCall,
  repository: RepositoryInstructions | undefined,
  team: string | undefined,
): Promise<void> {
  const used = [
    ...(repository === undefined
      ? []
      : [`${repository.file}${repository.truncated ? ' (cut to its first 16 KiB)' : ''}`]),
    ...(team === undefined ? [] : ['the channel’s instructions']),
  ];
  return call.record({
    type: 'agent.context',
    message:
      used.length === 0
        ? 'no repository or team instructions (AGENTS.md, CLAUDE.md, .github/copilot-instructions.md, /aidev config set instructions=…)'
        : `instructions used: ${used.join(' and ')}`,
    data: {
      repository_instructions: repository?.file ?? null,
      truncated: repository?.truncated ?? false,
      team_instructions: team !== undefined,
    },
  });
}

/** A conversation summarized to fit the model's window. */
export function logCompaction(call: AgentCall) {
  return (info: { turn: number; promptTokens: number }): Promise<void> =>
    call.record({
      type: 'agent.context',
      message: `turn ${info.turn}: the conversation (${info.promptTokens} tokens) was summarized to stay within the model's window`,
      data: { turn: info.turn, prompt_tokens: info.promptTokens, compacted: true },
    });
}
