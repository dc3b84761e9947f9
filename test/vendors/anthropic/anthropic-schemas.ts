/**
 * Request schemas of the Anthropic Messages API, API version 2026-10-21, for the fields aidev
 * can send. Field names and types follow @anthropic-ai/sdk 1.14 (resources/messages/messages.d.ts,
 * the generated types of Anthropic's own API description) and the API reference at
 * platform.claude.com/docs/en/api/messages. Anthropic refuses unknown fields ("Extra inputs are
 * not permitted"), so objects described in full are closed with `additionalProperties: false`;
 * block and tool kinds aidev never sends are accepted by their `type` alone.
 */

type Schema = Readonly<Record<string, unknown>>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const closed = (properties: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const constant = (value: string): Schema => ({ type: 'string', enum: [value] });
/** OpenAPI 3.0's `nullable` needs a `type` beside it; a $ref or a union takes null by anyOf. */
const nullable = (schema: Schema): Schema =>
  'type' in schema ? { ...schema, nullable: true } : { anyOf: [schema, { enum: [null] }] };
const arrayOf = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
const ID = { type: 'string', pattern: '^[a-zA-Z0-9_-]+$' };

/** Content block kinds aidev does not send, checked by their type only. */
const OTHER_BLOCK_TYPES = [
  'image',
  'document',
  'search_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
  'tool_reference',
  'browser_state',
];

const CacheControl = closed(
  { type: constant('ephemeral'), ttl: { type: 'string', enum: ['5m', '1h'] } },
  ['type'],
);

const TextBlock = closed(
  {
    type: constant('text'),
    text: { type: 'string' },
    cache_control: nullable(ref('CacheControlEphemeral')),
    citations: nullable(arrayOf({ type: 'object' })),
  },
  ['type', 'text'],
);

const ToolUseBlock = closed(
  {
    type: constant('tool_use'),
    id: ID,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    input: { type: 'object' },
    cache_control: nullable(ref('CacheControlEphemeral')),
    caller: { type: 'object' },
    toolset_name: nullable({ type: 'string' }),
  },
  ['type', 'id', 'name', 'input'],
);

const OtherBlock: Schema = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: OTHER_BLOCK_TYPES } },
};

const ToolResultBlock = closed(
  {
    type: constant('tool_result'),
    tool_use_id: ID,
    content: {
      anyOf: [{ type: 'string' }, arrayOf({ anyOf: [ref('TextBlockParam'), OtherBlock] })],
    },
    is_error: { type: 'boolean' },
    cache_control: nullable(ref('CacheControlEphemeral')),
    toolset_name: nullable({ type: 'string' }),
  },
  ['type', 'tool_use_id'],
);

const ContentBlock: Schema = {
  anyOf: [ref('TextBlockParam'), ref('ToolUseBlockParam'), ref('ToolResultBlockParam'), OtherBlock],
};

const Message = closed(
  {
    role: { type: 'string', enum: ['user', 'assistant', 'system'] },
    content: { anyOf: [{ type: 'string' }, arrayOf(ref('ContentBlockParam'))] },
  },
  ['role', 'content'],
);

/** A client tool (`type` absent or `custom`), described in full. */
const CustomTool = closed(
  {
    type: nullable(constant('custom')),
    name: { type: 'string', pattern: '^[a-zA-Z0-9_-]{1,128}$' },
    description: { type: 'string' },
    input_schema: {
      type: 'object',
      required: ['type'],
      properties: { type: constant('object') },
    },
    cache_control: nullable(ref('CacheControlEphemeral')),
    strict: { type: 'boolean' },
    defer_loading: { type: 'boolean' },
    eager_input_streaming: nullable({ type: 'boolean' }),
    input_examples: arrayOf({ type: 'object' }),
    allowed_callers: arrayOf({ type: 'string' }),
  },
  ['name', 'input_schema'],
);

/**
 * What each of Anthropic's own client tools takes besides its type and name (SDK 1.14's
 * ToolBash20250124, ToolTextEditor20250728, …). They have no input_schema or description: the
 * model knows them.
 */
const ANTHROPIC_TOOL_FIELDS: Record<string, Schema> = {
  cache_control: nullable(ref('CacheControlEphemeral')),
  allowed_callers: arrayOf({
    type: 'string',
    enum: [
      'direct',
      'code_execution_20250825',
      'code_execution_20260120',
      'code_execution_20260521',
    ],
  }),
  defer_loading: { type: 'boolean' },
  input_examples: arrayOf({ type: 'object' }),
  strict: { type: 'boolean' },
};

/** One of Anthropic's client tools: its version's type, and the one name that type takes. */
const anthropicTool = (type: string, name: string, extra: Record<string, Schema> = {}) =>
  closed({ type: constant(type), name: constant(name), ...ANTHROPIC_TOOL_FIELDS, ...extra }, [
    'type',
    'name',
  ]);

/**
 * The bash and text editor tools, in full: each version's type with its one name (another name
 * is a 400), and `max_characters` (the longest view) only from text_editor_20250728 on.
 */
const ANTHROPIC_TOOLS: readonly Schema[] = [
  anthropicTool('bash_20250124', 'bash'),
  anthropicTool('text_editor_20250124', 'str_replace_editor'),
  anthropicTool('text_editor_20250429', 'str_replace_based_edit_tool'),
  anthropicTool('text_editor_20250728', 'str_replace_based_edit_tool', {
    max_characters: nullable({ type: 'integer', minimum: 1 }),
  }),
];

/**
 * Other server and versioned tools (`web_search_20250305`, `memory_20250818`, …), which aidev
 * does not send, by type only; a bash or text editor type not described above is none of them.
 */
const OtherVersionedTool: Schema = {
  type: 'object',
  required: ['type', 'name'],
  properties: {
    type: { type: 'string', pattern: '^(?!bash_|text_editor_)[a-z_0-9]+_\\d{8}$' },
  },
};

const ToolChoice: Schema = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    type: { type: 'string', enum: ['auto', 'any', 'tool', 'none'] },
    name: { type: 'string' },
    disable_parallel_tool_use: { type: 'boolean' },
  },
};

const System: Schema = { anyOf: [{ type: 'string' }, arrayOf(ref('TextBlockParam'))] };

/** Fields that both messages/create and messages/count-tokens take. */
const PROMPT_FIELDS: Record<string, Schema> = {
  model: { type: 'string', minLength: 1, maxLength: 256 },
  messages: arrayOf(ref('MessageParam'), { maxItems: 100_000 }),
  system: System,
  tools: arrayOf({ anyOf: [ref('Tool'), ...ANTHROPIC_TOOLS, OtherVersionedTool] }),
  tool_choice: ToolChoice,
  thinking: { type: 'object', required: ['type'] },
  cache_control: nullable(ref('CacheControlEphemeral')),
  output_config: { type: 'object' },
  speed: nullable({ type: 'string', enum: ['standard', 'fast'] }),
};

const CreateRequest = closed(
  {
    ...PROMPT_FIELDS,
    // 0 pre-warms the prompt cache without generating.
    max_tokens: { type: 'integer', minimum: 0 },
    metadata: closed({ user_id: nullable({ type: 'string', maxLength: 256 }) }, []),
    stop_sequences: arrayOf({ type: 'string' }),
    stream: { type: 'boolean' },
    container: nullable({ anyOf: [{ type: 'string' }, { type: 'object' }] }),
    diagnostics: nullable({ type: 'object' }),
    inference_geo: nullable({ type: 'string' }),
    service_tier: { type: 'string', enum: ['auto', 'standard_only'] },
  },
  ['model', 'messages', 'max_tokens'],
);

const CountTokensRequest = closed(PROMPT_FIELDS, ['model', 'messages']);

const ErrorResponse = closed(
  {
    type: constant('error'),
    error: {
      type: 'object',
      required: ['type', 'message'],
      properties: { type: { type: 'string' }, message: { type: 'string' } },
    },
    request_id: nullable({ type: 'string' }),
  },
  ['type', 'error'],
);

export const ANTHROPIC_SCHEMAS: Readonly<Record<string, Schema>> = {
  CacheControlEphemeral: CacheControl,
  TextBlockParam: TextBlock,
  ToolUseBlockParam: ToolUseBlock,
  ToolResultBlockParam: ToolResultBlock,
  ContentBlockParam: ContentBlock,
  MessageParam: Message,
  Tool: CustomTool,
  MessageCreateParams: CreateRequest,
  MessageCountTokensParams: CountTokensRequest,
  ErrorResponse,
};
