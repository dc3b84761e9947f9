import type { TokenUsage } from '../../costs/price-table.js';
import type { Logger } from '../../log/create-logger.js';
import type { JsonObject } from '../../store/sql.js';
import type { PluginHealth } from '../plugin.js';

/**
 * The AI provider interface: one model call at a time, in a vendor-neutral shape close to the
 * Messages API (system text, tools, a conversation of content blocks). Agents and the budget
 * layer depend on this only; `src/adapters/anthropic/` and the recorded-transcript provider
 * implement it.
 */

export interface TextBlock {
  readonly type: 'text';
  readonly text: string;
}

export interface ToolUseBlock {
  readonly type: 'tool_use';
  /** The provider's id for this call; the matching tool_result names it. */
  readonly id: string;
  readonly name: string;
  readonly input: JsonObject;
  /**
   * Why the input the model wrote could not be read (OpenAI's function arguments are text, and
   * may be broken JSON): the call is not run, and this goes back to the model to correct.
   */
  readonly inputError?: string;
}

export interface ToolResultBlock {
  readonly type: 'tool_result';
  readonly toolUseId: string;
  readonly content: string;
  /** The tool refused or failed: the model should correct itself. */
  readonly isError?: boolean;
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: readonly ContentBlock[];
}

export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the tool's input object. */
  readonly inputSchema: JsonObject;
  /**
   * A tool the provider's models are trained on under its own type: Anthropic's `bash`
   * (`bash_20250124`) and text editor (`str_replace_based_edit_tool`, `text_editor_20250728`).
   * A provider that knows the type sends it instead of the schema; any other sends the schema,
   * which describes the same input.
   */
  readonly native?: 'bash' | 'text_editor';
}

/** A block of system text. `cache` marks the end of a stable prefix worth caching. */
export interface SystemBlock {
  readonly text: string;
  readonly cache?: boolean;
}

export interface ModelRequest {
  readonly model: string;
  /** Stable parts first (instructions, then repository context): they form the cached prefix. */
  readonly system: readonly SystemBlock[];
  readonly tools: readonly ToolDefinition[];
  readonly messages: readonly ChatMessage[];
  readonly maxTokens: number;
  /**
   * Prompt caching: the tool definitions end a cached prefix, and so does the conversation so
   * far (each turn then reads the earlier turns from the cache instead of paying for them again).
   */
  readonly cache?: { readonly tools: boolean; readonly conversation: boolean };
}

/** Why the model stopped, as Anthropic's Messages API says it. */
export const STOP_REASONS = [
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'refusal',
  'pause_turn',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];

export interface ModelResponse {
  readonly id: string;
  /** The model that answered (may carry a date, e.g. claude-sonnet-4-5-20250929). */
  readonly model: string;
  readonly content: readonly (TextBlock | ToolUseBlock)[];
  readonly stopReason: StopReason;
  /** As the provider reports it: the basis of the cost entry. Never guessed. */
  readonly usage: TokenUsage;
  /**
   * The provider that answered, when the call went through one that routes by model
   * (`openai:gpt-5`): recorded on the cost entry instead of the router's name.
   */
  readonly provider?: string;
}

export interface ProviderCallOptions {
  readonly signal: AbortSignal;
  readonly log: Logger;
  /**
   * Which conversation and turn this call is (e.g. `development/implement`, turn 3): recorded
   * with a transcript, and how a recorded-transcript provider finds the answer to replay.
   */
  readonly conversation?: { readonly name: string; readonly turn: number };
}

export interface AiProvider {
  /** `anthropic`, `transcript`, …: recorded on every cost entry. */
  readonly name: string;
  /** For people: which provider, model source or recording this is. */
  readonly description: string;
  complete(request: ModelRequest, options: ProviderCallOptions): Promise<ModelResponse>;
  health(): Promise<PluginHealth>;
  close?(): Promise<void>;
}

/**
 * Error codes providers raise (as VendorError or StepError `code`), so that callers can
 * tell them apart without knowing the vendor: a bad key, an overloaded or rate-limited service
 * (retryable), a request too long for the model's context, or an answer without usage.
 */
export const PROVIDER_ERROR_CODES = [
  'unauthorized',
  'rate_limited',
  'overloaded',
  'context_too_long',
  'invalid_request',
  'invalid_response',
  'unavailable',
  'network_error',
] as const;
