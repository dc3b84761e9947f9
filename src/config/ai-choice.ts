import type { Problem } from '../errors/problem.js';
import {
  parseModelRef,
  PROVIDER_KEYS,
  type AiProviderName,
} from '../plugins/interfaces/model-ref.js';
import type { Env } from './env-schema.js';
import { SETTINGS_DEFAULTS, type FileSettings } from './file-schema.js';

export interface AiChoice {
  /** The installation's provider; undefined: none configured (the transcript is replayed). */
  readonly provider: AiProviderName | undefined;
  readonly model: string;
}

/**
 * The installation's AI provider and model, checked now rather than at the first agent step:
 * (1) `ai.provider` if set, and its key must be set too;
 * (2) else the provider whose key is set, Anthropic first (as before OpenAI could be chosen);
 * (3) the model is `ai.model`, else the provider's default, and the provider it names
 *     (`openai:gpt-5`, or a bare Claude id) must be configured — except a bare Claude id with
 *     no provider at all, which the recorded transcript answers;
 * (4) a model for Anthropic must be a Claude id.
 */
export function aiChoiceOf(
  env: Env,
  ai: FileSettings['ai'],
): { choice: AiChoice; problems: Problem[] } {
  const configured = (name: AiProviderName) =>
    name === 'anthropic' ? env.ANTHROPIC_API_KEY !== undefined : env.OPENAI_API_KEY !== undefined;
  const problems: Problem[] = [];
  const missing = (path: string, what: string, name: AiProviderName) =>
    problems.push({
      path,
      message: `${what}, but ${PROVIDER_KEYS[name]} is not set: set it, or choose a configured provider`,
    });
  const provider =
    ai?.provider ??
    (configured('anthropic') ? 'anthropic' : configured('openai') ? 'openai' : undefined);
  if (ai?.provider !== undefined && !configured(ai.provider))
    missing('ai.provider', `ai.provider is ${ai.provider}`, ai.provider);
  const model =
    ai?.model ??
    (provider === 'openai' ? SETTINGS_DEFAULTS.ai.openaiModel : SETTINGS_DEFAULTS.ai.model);
  const ref = parseModelRef(model);
  const needs = ref.provider ?? provider;
  const replayed = provider === undefined && !ref.explicit;
  if (needs !== undefined && !configured(needs) && !replayed && needs !== ai?.provider)
    missing('ai.model', `ai.model ${model} is a model of ${needs}`, needs);
  // Every Claude id starts so: `gpt-5` sent to Anthropic is a mistake in the settings.
  if (needs === 'anthropic' && !ref.model.startsWith('claude-'))
    problems.push({
      path: 'ai.model',
      message: `expected a Claude model id for Anthropic (the installation's provider), found ${model}: write openai:${model}, or set ai.provider: openai`,
    });
  return { choice: { provider, model }, problems };
}
