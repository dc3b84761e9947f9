import Anthropic from '@anthropic-ai/sdk';
import type { Logger } from '../../log/create-logger.js';
import type { AiProvider } from '../../plugins/interfaces/ai-provider.js';
import type { PluginHealth } from '../../plugins/plugin.js';
import { guardedCalls } from '../../resilience/model-api-errors.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { toVendorError, type ErrorContext } from './anthropic-errors.js';
import { toCreateParams } from './messages-request.js';
import { fromMessage } from './messages-response.js';

export const DEFAULT_ANTHROPIC_URL = 'https://api.anthropic.com';
/** A long answer (tens of thousands of tokens, not streamed) takes minutes. */
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const HEALTH_TIMEOUT_MS = 10_000;

export interface AnthropicProviderOptions {
  /** ANTHROPIC_API_KEY. Never logged, and removed from any message that would repeat it. */
  readonly apiKey: string;
  /** ANTHROPIC_BASE_URL, for a proxy or gateway (default https://api.anthropic.com). */
  readonly baseUrl?: string;
  /** The guard for `anthropic`: every call goes through its rate limit, breaker and retries. */
  readonly guard: ServiceGuard;
  readonly logger: Logger;
  readonly fetch?: typeof globalThis.fetch;
  /** Longest wait for one answer (default 10 minutes). */
  readonly timeoutMs?: number;
}

/**
 * Claude through the Anthropic Messages API, with @anthropic-ai/sdk.
 *
 * The SDK's own retries are off (`maxRetries: 0`): the guard retries, honouring Retry-After,
 * and the two layers must never multiply (the SDK would otherwise try each guard attempt three
 * times, on 429 and 529 too).
 *
 * @example
 * const claude = createAnthropicProvider({
 *   apiKey: config.anthropic.apiKey,
 *   guard: guards.for('anthropic', DEFAULT_ANTHROPIC_URL),
 *   logger,
 * });
 * const answer = await claude.complete(request, { signal, log });
 */
export function createAnthropicProvider(options: AnthropicProviderOptions): AiProvider {
  const { apiKey, guard, logger } = options;
  if (apiKey.trim() === '')
    throw new Error('ANTHROPIC_API_KEY is empty: set it to an Anthropic API key, or unset it');
  const baseUrl = (options.baseUrl ?? DEFAULT_ANTHROPIC_URL).replace(/\/+$/, '');
  const client = new Anthropic({
    apiKey,
    baseURL: baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    // aidev registers no tracer; this also keeps OpenTelemetry environment variables (which
    // can put prompts into spans) from changing what the client does.
    openTelemetry: false,
    logLevel: 'warn',
    logger: sdkLogger(logger),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const errors: ErrorContext = {
    baseUrl,
    scrub: (text) => text.split(apiKey).join('[REDACTED]'),
  };

  /** One SDK call under the guard, its failure in our terms (a cancelled call stays cancelled). */
  const call = guardedCalls(guard, (error) => toVendorError(error, errors));

  return {
    name: 'anthropic',
    description: `Claude through the Anthropic API at ${baseUrl}`,

    async complete(request, { signal, log }) {
      const params = toCreateParams(request, log);
      // Typed as unknown on purpose: the SDK casts the body to Message without checking it.
      const message: unknown = await call('messages.create', signal, () =>
        client.messages.create(params, { signal }),
      );
      const response = fromMessage(message, log);
      log.debug(
        {
          messageId: response.id,
          model: response.model,
          stopReason: response.stopReason,
          usage: response.usage,
        },
        'anthropic: answer received',
      );
      return response;
    },

    health: () =>
      health(baseUrl, errors, (signal) =>
        call(
          'models.list',
          signal,
          async () => (await client.models.list({ limit: 5 }, { signal })).data,
        ),
      ),
  };
}

/** Whether the key is accepted, by listing models (cheap, and it needs a valid key). */
async function health(
  baseUrl: string,
  errors: ErrorContext,
  listModels: (signal: AbortSignal) => Promise<readonly { id: string }[]>,
): Promise<PluginHealth> {
  const signal = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  try {
    const models = await listModels(signal);
    const ids = models.map((m) => m.id).join(', ');
    return {
      ok: true,
      detail: `${baseUrl}: API key accepted; models include ${ids || '(none listed)'}`,
    };
  } catch (error) {
    if (signal.aborted)
      return { ok: false, detail: `${baseUrl}: no answer within ${HEALTH_TIMEOUT_MS / 1000} s` };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: errors.scrub(message) };
  }
}

/**
 * The SDK's log lines in aidev's log, quietly (its default logger is the console): warnings as
 * warnings, errors at debug because the guard and the step already report every failed call,
 * and nothing below. Its deprecated-model notice bypasses this and goes to console.warn.
 */
function sdkLogger(logger: Logger) {
  const ignore = () => undefined;
  return {
    warn: (message: string) => logger.warn({ service: 'anthropic' }, message),
    error: (message: string) => logger.debug({ service: 'anthropic' }, message),
    info: ignore,
    debug: ignore,
  };
}
