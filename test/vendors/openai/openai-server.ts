import {
  VendorServer,
  type Fault,
  type HandlerRequest,
  type HandlerResponse,
  type RecordedRequest,
} from '../kit/vendor-server.js';
import { AutomaticCache, estimateTokens, promptText } from './automatic-cache.js';
import { openaiDescription } from './openai-description.js';
import {
  findModel,
  MODELS,
  modelJson,
  openaiError,
  openaiErrorBody,
  openaiId,
  type ModelSpec,
} from './openai-json.js';
import { checkChatRequest } from './request-checks.js';

type Json = Readonly<Record<string, unknown>>;

/**
 * A block of a scripted answer, in the shape the Anthropic server's scripts use (so that one
 * script serves both): text, or a tool call (its id generated, `call_…`, unless given). A
 * `broken_call` is a function call whose arguments are the text given, valid JSON or not.
 */
export type ScriptedBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly name: string; readonly input: Json; readonly id?: string }
  | { readonly type: 'broken_call'; readonly name: string; readonly arguments: string };

export interface ScriptedReply {
  readonly content: readonly ScriptedBlock[];
  /** Default: `tool_calls` when the answer calls a tool, else `stop`. */
  readonly finishReason?: string;
  /** Sent instead of the simulated usage, as it is; `'omit'` sends an answer without usage. */
  readonly usage?: Json | 'omit';
}

export interface OpenAiServerOptions {
  /** The one key the server accepts (Authorization: Bearer). */
  readonly apiKey?: string;
  /** The longest prompt accepted, in the server's token estimate. */
  readonly contextWindow?: number;
  /** The shortest prompt OpenAI caches (1,024 tokens). */
  readonly minCacheableTokens?: number;
  /** The organization and project the key belongs to (`OpenAI-Organization`, `OpenAI-Project`). */
  readonly organization?: string;
  readonly project?: string;
}

export const OPENAI_TEST_API_KEY = 'sk-proj-aidevLocalTestKey0123456789abcdefABCDEF_openai';
const DEFAULT_CONTEXT_WINDOW = 400_000;

/**
 * A local OpenAI API (Chat Completions and models) on the shared vendor kit: every request
 * validated against OpenAI's published description and the rules it enforces beyond it (answered
 * with OpenAI's 400 body and recorded as violations), every answer checked against the same
 * description, answers scripted per test, usage computed with simulated automatic caching.
 */
export class OpenAiServer {
  readonly apiKey: string;
  readonly organization: string;
  readonly project: string;
  contextWindow: number;
  private readonly replies: ScriptedReply[] = [];
  private readonly standing: {
    matches: (body: Json) => boolean;
    answer: (body: Json) => ScriptedReply;
  }[] = [];
  private readonly cache: AutomaticCache;

  private constructor(
    readonly http: VendorServer,
    options: OpenAiServerOptions,
  ) {
    this.apiKey = options.apiKey ?? OPENAI_TEST_API_KEY;
    this.organization = options.organization ?? 'org-aidevLocalTest';
    this.project = options.project ?? 'proj_aidevLocalTest';
    this.contextWindow = options.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
    this.cache = new AutomaticCache(options.minCacheableTokens);
  }

  static async start(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
    const holder: { server?: OpenAiServer } = {};
    const self = () => holder.server as OpenAiServer;
    const http = new VendorServer({
      name: 'OpenAI',
      definition: openaiDescription(),
      apiRoot: '/v1',
      handlers: {
        createChatCompletion: (request) => self().create(request),
        listModels: (request) => self().listModels(request),
      },
      checkResponses: ['createChatCompletion', 'listModels'],
      errorBody: (status, message) => openaiErrorBody(status, message),
    });
    holder.server = new OpenAiServer(http, options);
    await http.start();
    return holder.server;
  }

  /** The base URL clients are given (OPENAI_BASE_URL): the server's address and `/v1`. */
  get url(): string {
    return `${this.http.url}/v1`;
  }

  get requests(): RecordedRequest[] {
    return this.http.requests;
  }

  get violations(): string[] {
    return this.http.violations;
  }

  /** Queues answers for the next completion requests, in order (an empty queue answers "Done."). */
  reply(...replies: ScriptedReply[]): this {
    this.replies.push(...replies);
    return this;
  }

  /** Answers every completion request `matches` accepts, ahead of the queue and without using it. */
  answerWhen(matches: (body: Json) => boolean, answer: (body: Json) => ScriptedReply): this {
    this.standing.push({ matches, answer });
    return this;
  }

  inject(fault: Fault): void {
    this.http.inject(fault);
  }

  count(operationId?: string): number {
    return this.http.count(operationId);
  }

  /** The bodies of the completion requests that reached the server, in order. */
  completionBodies(): Json[] {
    return this.requests
      .filter((r) => r.operationId === 'createChatCompletion')
      .map((r) => r.body as Json);
  }

  /** Forgets traffic, faults, scripted answers and the cache. */
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
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    const key = /^Bearer (.+)$/.exec(value ?? '')?.[1];
    if (key === undefined)
      throw openaiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    if (key !== this.apiKey)
      throw openaiError(
        401,
        `Incorrect API key provided: ${key.slice(0, 3)}****${key.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        { code: 'invalid_api_key' },
      );
    // OpenAI's words when a key is sent with an organization or project it is not in.
    const organization = request.headers['openai-organization'];
    if (organization !== undefined && organization !== this.organization)
      throw openaiError(401, 'OpenAI-Organization header should match organization for API key', {
        type: 'invalid_request_error',
        code: 'mismatched_organization',
      });
    const project = request.headers['openai-project'];
    if (project !== undefined && project !== this.project)
      throw openaiError(401, 'OpenAI-Project header should match project for API key', {
        type: 'invalid_request_error',
        code: 'mismatched_project',
      });
  }

  private create(request: HandlerRequest): HandlerResponse {
    this.authenticate(request);
    const body = request.body as Json;
    const model = findModel(String(body.model));
    if (model === undefined)
      throw openaiError(
        404,
        `The model \`${String(body.model)}\` does not exist or you do not have access to it.`,
        { code: 'model_not_found' },
      );
    const broken = checkChatRequest(body, model.reasoning);
    if (broken !== undefined) {
      this.violations.push(`createChatCompletion: ${broken.message}`);
      throw openaiError(400, broken.message, { param: broken.param, code: broken.code });
    }
    if (body.stream === true) {
      const message = 'OpenAI test server: streaming is not implemented';
      this.violations.push(message);
      throw openaiError(400, message);
    }
    const prompt = promptText(body);
    const promptTokens = estimateTokens(prompt);
    if (promptTokens > this.contextWindow)
      throw openaiError(
        400,
        `This model's maximum context length is ${this.contextWindow} tokens. However, your messages resulted in ${promptTokens} tokens. Please reduce the length of the messages.`,
        { param: 'messages', code: 'context_length_exceeded' },
      );
    const cached = this.cache.read(model.id, prompt);
    const standing = this.standing.find((s) => s.matches(body));
    const reply = standing?.answer(body) ??
      this.replies.shift() ?? { content: [{ type: 'text', text: 'Done.' }] };
    return {
      body: completionJson(model, reply, { promptTokens, cached }),
      headers: { 'x-request-id': openaiId('req_', 32) },
    };
  }

  private listModels(request: HandlerRequest): HandlerResponse {
    this.authenticate(request);
    return {
      body: { object: 'list', data: MODELS.map(modelJson) },
      headers: { 'x-request-id': openaiId('req_', 32) },
    };
  }
}

export function startOpenAiServer(options: OpenAiServerOptions = {}): Promise<OpenAiServer> {
  return OpenAiServer.start(options);
}

function toolCallJson(block: ScriptedBlock) {
  if (block.type === 'text') return [];
  const [name, args] =
    block.type === 'tool_use'
      ? [block.name, JSON.stringify(block.input)]
      : [block.name, block.arguments];
  const id = block.type === 'tool_use' ? (block.id ?? openaiId('call_')) : openaiId('call_');
  return [{ id, type: 'function', function: { name, arguments: args } }];
}

/** A ChatCompletion as POST /v1/chat/completions answers it, usage with its details. */
function completionJson(
  model: ModelSpec,
  reply: ScriptedReply,
  tokens: { promptTokens: number; cached: number },
): Json {
  const text = reply.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('\n\n');
  const calls = reply.content.flatMap(toolCallJson);
  const written = text + calls.map((c) => c.function.name + c.function.arguments).join('');
  const completionTokens = Math.max(1, estimateTokens(written));
  const usage = {
    prompt_tokens: tokens.promptTokens,
    completion_tokens: completionTokens,
    total_tokens: tokens.promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: tokens.cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  return {
    id: openaiId('chatcmpl-', 29),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: model.snapshot,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' ? null : text,
          refusal: null,
          annotations: [],
          ...(calls.length > 0 ? { tool_calls: calls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    ...(reply.usage === 'omit' ? {} : { usage: reply.usage ?? usage }),
    service_tier: 'default',
    system_fingerprint: 'fp_aidev0local',
  };
}
