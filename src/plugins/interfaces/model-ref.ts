/**
 * Which provider a model setting names. A model is given as `provider:model` (`openai:gpt-5`,
 * `anthropic:claude-opus-4-6`), as a bare Claude id (`claude-sonnet-5-5`, Anthropic's, as
 * before providers could be named), or as any other bare id, which is the installation's
 * provider's (`ai.provider`): `gpt-5` on an OpenAI installation.
 */

export const AI_PROVIDERS = ['anthropic', 'openai'] as const;
export type AiProviderName = (typeof AI_PROVIDERS)[number];

/** The environment variable that turns each provider on: what an error tells people to set. */
export const PROVIDER_KEYS: Readonly<Record<AiProviderName, string>> = {
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
};

export interface ModelRef {
  /** The provider the setting names or implies; undefined: the installation's provider. */
  readonly provider: AiProviderName | undefined;
  /** Whether the provider was written out (`openai:`), rather than implied. */
  readonly explicit: boolean;
  /** The model id as the provider knows it. */
  readonly model: string;
}

/**
 * @example
 * parseModelRef('openai:gpt-5') // { provider: 'openai', explicit: true, model: 'gpt-5' }
 * parseModelRef('claude-sonnet-5-5') // { provider: 'anthropic', explicit: false, … }
 * parseModelRef('llama3.1:8b') // { provider: undefined, … }: Ollama's ids have colons too
 */
export function parseModelRef(ref: string): ModelRef {
  const colon = ref.indexOf(':');
  const named = colon > 0 ? ref.slice(0, colon) : '';
  if ((AI_PROVIDERS as readonly string[]).includes(named))
    return { provider: named as AiProviderName, explicit: true, model: ref.slice(colon + 1) };
  return {
    provider: ref.startsWith('claude-') ? 'anthropic' : undefined,
    explicit: false,
    model: ref,
  };
}
