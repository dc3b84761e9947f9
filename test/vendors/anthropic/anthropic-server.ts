import {
  VendorServer,
  type Fault,
  type HandlerRequest,
  type HandlerResponse,
  type RecordedRequest,
} from '../kit/vendor-server.js';
import { anthropicDescription } from './anthropic-description.js';
import {
  anthropicError,
  anthropicErrorBody,
  anthropicId,
  findModel,
  MODELS,
  modelJson,
  type ModelSpec,
} from './anthropic-json.js';
import { estimateTokens, PromptCache, promptUnits, type SimulatedUsage } from './prompt-cache.js';
import { checkMessagesRequest } from './request-checks.js';

type Json = Readonly<Record<string, unknown>>;

/** A block of a scripted answer; tool_use ids are generated (`toolu_01…`) unless given. */
export type ScriptedBlock =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'tool_use';
      readonly name: string;
      readonly input: Json;
      readonly id?: string;
    }
  /** Sent as it is (a thinking block, a server tool result, …). */
  | { readonly type: 'raw'; readonly block: Json };

export interface ScriptedReply {
  readonly content: readonly ScriptedBlock[];
  /** Default: `tool_use` when the answer calls a tool, else `end_turn`. */
  readonly stopReason?: string;
  /** Sent instead of the simulated usage, as it is; `'omit'` sends an answer without usage. */
  readonly usage?: Json | 'omit';
}

export interface AnthropicServerOptions {
  /** The one key the server accepts (x-api-key or Authorization: Bearer). */
  readonly apiKey?: string;
  /** The shortest prefix the cache keeps, in tokens (1024, like Sonnet and Opus). */
  readonly minCacheableTokens?: number;
  /** The longest prompt accepted, in the server's token estimate. */
  readonly contextWindow?: number;
  /** The clock cache lifetimes are measured with. */
  readonly now?: () => number;
}

export const TEST_API_KEY = 'sk-ant-api03-aidevLocalTestKey0123456789abcdefABCDEF-xyzAA';
const DEFAULT_CONTEXT_WINDOW = 200_000;

/**
 * A local Anthropic API (Messages, token counting, models) on the shared vendor kit: every
 * request validated against the description in anthropic-description.ts and Anthropic's rules
 * beyond it (answered with Anthropic's 400 body and recorded as violations), answers scripted
 * per test, usage computed with a simulated prompt cache unless scripted.
 */
export class AnthropicServer {
  readonly apiKey: string;
  contextWindow: number;
  private readonly replies: ScriptedReply[] = [];
  private readonly standing: {
    matches: (body: Json) => boolean;
    answer: (body: Json) => ScriptedReply | Promise<ScriptedReply>;
  }[] = [];
  private readonly cache: PromptCache;

  private constructor(
    readonly http: VendorServer,
    options: AnthropicServerOptions,
  ) {
    this.apiKey = options.apiKey ?? TEST_API_KEY;
    this.contextWindow = options.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
    this.cache = new PromptCache({
      minCacheableTokens: options.minCacheableTokens ?? 1024,
      now: options.now ?? Date.now,
    });
  }

  static async start(options: AnthropicServerOptions = {}): Promise<AnthropicServer> {
    const holder: { server?: AnthropicServer } = {};
    const self = () => holder.server as AnthropicServer;
    const http = new VendorServer({
      name: 'Anthropic',
      definition: anthropicDescription(),
      handlers: {
        'messages/create': async (request) => self().create(request),
        'messages/count-tokens': (request) => self().countTokens(request),
        'models/list': (request) => self().listModels(request),
      },
      errorBody: (status, message) => anthropicErrorBody(status, message),
    });
    holder.server = new AnthropicServer(http, options);
    await http.start();
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  get requests(): RecordedRequest[] {
    return this.http.requests;
  }

  get violations(): string[] {
    return this.http.violations;
  }

  /** Queues answers for the next Messages requests, in order (an empty queue answers "Done."). */
  reply(...replies: ScriptedReply[]): this {
    this.replies.push(...replies);
    return this;
  }

  /**
   * Answers every Messages request `matches` accepts with `answer`, ahead of the queued replies
   * and without consuming them: what a model does whenever it is asked a certain thing (to
   * summarize its conversation, say), whenever that comes. An answer may take its time (a
   * promise): a model still thinking when its caller gives up.
   */
  answerWhen(
    matches: (body: Json) => boolean,
    answer: (body: Json) => ScriptedReply | Promise<ScriptedReply>,
  ): this {
    this.standing.push({ matches, answer });
    return this;
  }

  /** A scripted failure (see rateLimitFault, overloadedFault, apiErrorFault). */
  inject(fault: Fault): void {
    this.http.inject(fault);
  }

  count(operationId?: string): number {
    return this.http.count(operationId);
  }

  /** The bodies of the Messages requests that reached the server, in order. */
  messageBodies(): Json[] {
    return this.requests
      .filter((r) => r.operationId === 'messages/create')
      .map((r) => r.body as Json);
  }

  /** Forgets traffic, faults, scripted answers and the prompt cache. */
  reset(): void {
    this.http.resetTraffic();
    this.replies.length = 0;
    this.standing.length = 0;
    this.cache.clear();
    this.contextWindow = DEFAULT_CONTEXT_WINDOW;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private authenticate(request: HandlerRequest): void {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    // With both headers Anthropic uses x-api-key.
    const key = header('x-api-key') || /^Bearer (.+)$/.exec(header('authorization') ?? '')?.[1];
    if (key === undefined || key === '') throw anthropicError(401, 'x-api-key header is required');
    if (key !== this.apiKey) throw anthropicError(401, 'invalid x-api-key');
  }

  /** Authentication, the rules beyond the schema, and the model: what every prompt call checks. */
  private admit(request: HandlerRequest): { body: Json; model: ModelSpec } {
    this.authenticate(request);
    const body = request.body as Json;
    const broken = checkMessagesRequest(body);
    if (broken !== undefined) {
      this.violations.push(`${request.operationId}: ${broken}`);
      throw anthropicError(400, broken);
    }
    const model = findModel(String(body.model));
    if (model === undefined) throw anthropicError(404, `model: ${String(body.model)}`);
    return { body, model };
  }

  private async create(request: HandlerRequest): Promise<HandlerResponse> {
    const { body, model } = this.admit(request);
    if (body.stream === true) {
      const message = 'Anthropic test server: streaming is not implemented';
      this.violations.push(message);
      throw anthropicError(400, message);
    }
    const units = promptUnits(body);
    const total = units.reduce((sum, u) => sum + u.tokens, 0);
    if (total > this.contextWindow)
      throw anthropicError(
        400,
        `prompt is too long: ${total} tokens > ${this.contextWindow} maximum`,
      );
    const usage = this.cache.usage(model.id, units);
    const standing = this.standing.find((s) => s.matches(body));
    const reply = (await standing?.answer(body)) ??
      this.replies.shift() ?? { content: [{ type: 'text', text: 'Done.' }] };
    return withRequestId(messageJson(model, reply, usage));
  }

  private countTokens(request: HandlerRequest): HandlerResponse {
    const { body } = this.admit(request);
    const total = promptUnits(body).reduce((sum, u) => sum + u.tokens, 0);
    return withRequestId({ input_tokens: total });
  }

  private listModels(request: HandlerRequest): HandlerResponse {
    this.authenticate(request);
    const limit = Number(request.query.limit ?? 20);
    const data = MODELS.slice(0, limit).map(modelJson);
    return withRequestId({
      data,
      has_more: data.length < MODELS.length,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  }
}

/** Starts a local Anthropic API on 127.0.0.1 (port 0). */
export function startAnthropicServer(
  options: AnthropicServerOptions = {},
): Promise<AnthropicServer> {
  return AnthropicServer.start(options);
}

function withRequestId(body: Json): HandlerResponse {
  return { body, headers: { 'request-id': anthropicId('req') } };
}

function blockJson(block: ScriptedBlock): Json {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text, citations: null };
    case 'tool_use':
      return {
        type: 'tool_use',
        id: block.id ?? anthropicId('toolu'),
        name: block.name,
        input: block.input,
        caller: { type: 'direct' },
      };
    case 'raw':
      return block.block;
  }
}

/** A Message as POST /v1/messages answers it (API version 2026-10-21). */
function messageJson(model: ModelSpec, reply: ScriptedReply, usage: SimulatedUsage): Json {
  const content = reply.content.map(blockJson);
  const written = reply.content
    .map((b) => {
      if (b.type === 'text') return b.text;
      return b.type === 'tool_use'
        ? `${b.name}${JSON.stringify(b.input)}`
        : JSON.stringify(b.block);
    })
    .join('');
  const callsTool = content.some((b) => b.type === 'tool_use');
  return {
    id: anthropicId('msg'),
    type: 'message',
    role: 'assistant',
    model: model.id,
    content,
    stop_reason: reply.stopReason ?? (callsTool ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    ...(reply.usage === 'omit'
      ? {}
      : {
          usage: reply.usage ?? {
            ...usage,
            output_tokens: Math.max(1, estimateTokens(written)),
            inference_geo: 'global',
            output_tokens_details: null,
            server_tool_use: null,
            service_tier: 'standard',
            speed: 'standard',
          },
        }),
  };
}
