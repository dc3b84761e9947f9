import OpenAI, { AzureOpenAI } from 'openai';
import type { Logger } from '../../log/create-logger.js';
import type { AiProvider } from '../../plugins/interfaces/ai-provider.js';
import type { PluginHealth } from '../../plugins/plugin.js';
import { guardedCalls } from '../../resilience/model-api-errors.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { toChatParams } from './chat-request.js';
import { fromChatCompletion } from './chat-response.js';
import { toVendorError, type ErrorContext } from './openai-errors.js';

export const DEFAULT_OPENAI_URL = 'https://api.openai.com/v1';
/** A long answer (tens of thousands of tokens, not streamed, reasoning first) takes minutes. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const HEALTH_TIMEOUT_MS = 10_000;

export interface OpenAiProviderOptions {
  /** OPENAI_API_KEY. Never logged, and removed from any message that would repeat it. */
  readonly apiKey: string;
  /**
   * OPENAI_BASE_URL: a compatible gateway (vLLM, Ollama, LiteLLM), Azure's v1 API
   * (`https://RESOURCE.openai.azure.com/openai/v1`), or with `apiVersion` an Azure resource's
   * `…/openai` (default https://api.openai.com/v1).
   */
  readonly baseUrl?: string;
  /**
   * OPENAI_API_VERSION: Azure OpenAI's dated API (`2024-10-21`). With it the SDK's AzureOpenAI
   * client is used: the key goes in the `api-key` header, `api-version` in the query, and the
   * model names the deployment (`…/openai/deployments/MODEL/chat/completions`).
   */
  readonly apiVersion?: string;
  /** OPENAI_ORG_ID and OPENAI_PROJECT_ID, sent as `OpenAI-Organization` and `OpenAI-Project`. */
  readonly organization?: string;
  readonly project?: string;
  /** The guard for `openai`: every call goes through its rate limit, breaker and retries. */
  readonly guard: ServiceGuard;
  readonly logger: Logger;
  readonly fetch?: typeof globalThis.fetch;
  /** Longest wait for one answer (default 10 minutes). */
  readonly timeoutMs?: number;
}

/**
 * GPT models (or any OpenAI-compatible server) through the Chat Completions API, with the
 * official `openai` SDK.
 *
 * Chat Completions rather than Responses: it is what compatible gateways (vLLM, Ollama,
 * LiteLLM, Azure's dated API versions) implement, it keeps no conversation state on the server
 * (aidev keeps its own, and replays it after a restart), and it reports cached input tokens,
 * which is all the cost entries need.
 *
 * The SDK's own retries are off (`maxRetries: 0`): the guard retries, honouring Retry-After,
 * and the two layers must never multiply. Everything the SDK would read from the environment
 * (OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_LOG…) is given explicitly from aidev's validated
 * configuration, so that the settings aidev documents are the only ones that count.
 *
 * @example
 * const gpt = createOpenAiProvider({
 *   apiKey: config.openai.apiKey,
 *   guard: guards.for('openai', DEFAULT_OPENAI_URL),
 *   logger,
 * });
 * const answer = await gpt.complete({ ...request, model: 'gpt-5' }, { signal, log });
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): AiProvider {
  const { apiKey, guard, logger } = options;
  if (apiKey.trim() === '')
    throw new Error('OPENAI_API_KEY is empty: set it to an OpenAI API key, or unset it');
  const baseUrl = (options.baseUrl ?? DEFAULT_OPENAI_URL).replace(/\/+$/, '');
  const common = {
    apiKey,
    baseURL: baseUrl,
    organization: options.organization ?? null,
    project: options.project ?? null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    logLevel: 'warn' as const,
    logger: sdkLogger(logger),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  };
  const client =
    options.apiVersion === undefined
      ? new OpenAI(common)
      : new AzureOpenAI({ ...common, apiVersion: options.apiVersion });
  const errors: ErrorContext = {
    baseUrl,
    scrub: (text) => text.split(apiKey).join('[REDACTED]'),
  };
  const where =
    (options.apiVersion === undefined ? baseUrl : `${baseUrl} (Azure ${options.apiVersion})`) +
    billedTo(options);

  /** One SDK call under the guard, its failure in our terms (a cancelled call stays cancelled). */
  const call = guardedCalls(guard, (error) => toVendorError(error, errors));

  return {
    name: 'openai',
    description: `OpenAI Chat Completions at ${where}`,

    async complete(request, { signal, log }) {
      const params = toChatParams(request);
      // Typed as unknown on purpose: the SDK casts the body to ChatCompletion without checking it.
      const completion: unknown = await call('chat.completions.create', signal, () =>
        client.chat.completions.create(params, { signal }),
      );
      const response = fromChatCompletion(completion, log);
      log.debug(
        {
          completionId: response.id,
          model: response.model,
          stopReason: response.stopReason,
          usage: response.usage,
        },
        'openai: answer received',
      );
      return response;
    },

    health: () =>
      health(where, errors, (signal) =>
        call('models.list', signal, () => firstModels(client, signal)),
      ),
  };
}

/** The first page of models (a gateway may list a handful, OpenAI lists them all at once). */
async function firstModels(client: OpenAI, signal: AbortSignal): Promise<readonly string[]> {
  const page = await client.models.list({ signal });
  return page.data.slice(0, 5).map((model) => model.id);
}

/** Whether the key is accepted, by listing models (free, and it needs a valid key). */
async function health(
  where: string,
  errors: ErrorContext,
  listModels: (signal: AbortSignal) => Promise<readonly string[]>,
): Promise<PluginHealth> {
  const signal = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  try {
    const ids = (await listModels(signal)).join(', ');
    return {
      ok: true,
      detail: `${where}: API key accepted; models include ${ids || '(none listed)'}`,
    };
  } catch (error) {
    if (signal.aborted)
      return { ok: false, detail: `${where}: no answer within ${HEALTH_TIMEOUT_MS / 1000} s` };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: errors.scrub(message) };
  }
}

/**
 * The SDK's log lines in aidev's log, quietly (its default logger is the console): warnings as
 * warnings, errors at debug because the guard and the step already report every failed call.
 */
function sdkLogger(logger: Logger) {
  const ignore = () => undefined;
  return {
    warn: (message: string) => logger.warn({ service: 'openai' }, message),
    error: (message: string) => logger.debug({ service: 'openai' }, message),
    info: ignore,
    debug: ignore,
  };
}

/** ", organization org-…, project proj_…" when set: whom the calls are billed to. */
function billedTo({ organization, project }: OpenAiProviderOptions): string {
  const parts = [
    ...(organization === undefined ? [] : [`organization ${organization}`]),
    ...(project === undefined ? [] : [`project ${project}`]),
  ];
  return parts.length === 0 ? '' : `, ${parts.join(', ')}`;
}
