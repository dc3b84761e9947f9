import { createAiProvider } from '../../app/ai.js';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../log/create-logger.js';
import { Guards } from '../../resilience/guards.js';
import type { Check } from '../check-report.js';

/**
 * Each configured AI provider asked whether it accepts its key (a model list: free, no tokens
 * spent), once and without retries: a check. Without a key there is nothing to ask; the
 * integration checks say which provider is not configured and what replays instead.
 */
export async function aiProviderChecks(config: Config, logger: Logger): Promise<Check[]> {
  if (config.anthropic.apiKey === undefined && config.openai.apiKey === undefined) return [];
  // Each failure is one line of the report; the providers' own error logs would repeat it.
  const quiet = logger.child({}, { level: 'fatal' });
  const guards = new Guards(quiet, {}, { retries: 0 });
  const router = createAiProvider({ config, guards, logger: quiet });
  try {
    return await Promise.all(
      router.members().map(async (provider): Promise<Check> => {
        const health = await provider.health();
        return {
          name: `ai ${provider.name}`,
          status: health.ok ? 'ok' : 'fail',
          detail: health.detail,
        };
      }),
    );
  } finally {
    await router.close();
    guards.shutdown();
  }
}
