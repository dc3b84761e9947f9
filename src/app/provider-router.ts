import { StepError } from '../engine/step-errors.js';
import type {
  AiProvider,
  ModelRequest,
  ModelResponse,
  ProviderCallOptions,
} from '../plugins/interfaces/ai-provider.js';
import {
  parseModelRef,
  PROVIDER_KEYS,
  type AiProviderName,
} from '../plugins/interfaces/model-ref.js';
import type { PluginHealth } from '../plugins/plugin.js';

/**
 * The installation's AI providers behind one AiProvider: each call goes to the provider its
 * model names (`openai:gpt-5` to OpenAI, a bare Claude id to Anthropic, any other bare id to the
 * installation's provider), with the provider's own model id, and its answer says which
 * provider gave it (the cost entry records that). Without any configured provider, a call whose
 * model names none goes to the fallback: the recorded transcript, or a provider that refuses.
 *
 * @example
 * const ai = new ProviderRouter({ configured: { openai: gpt }, preferred: 'openai', fallback });
 * await ai.complete({ ...request, model: 'openai:gpt-5' }, options); // GPT-5 through `gpt`
 */
export class ProviderRouter implements AiProvider {
  readonly name: string;
  readonly description: string;
  private readonly configured: Partial<Record<AiProviderName, AiProvider>>;
  private readonly preferred: AiProviderName | undefined;
  private readonly fallback: AiProvider;

  constructor(options: {
    configured: Partial<Record<AiProviderName, AiProvider>>;
    /** The installation's provider (`ai.provider`): bare ids other than Claude's go there. */
    preferred: AiProviderName | undefined;
    fallback: AiProvider;
  }) {
    this.configured = options.configured;
    this.preferred = options.preferred;
    this.fallback = options.fallback;
    const main = this.main();
    this.name = main.name;
    this.description = this.members()
      .map((p) => p.description)
      .join('; ');
  }

  /** The providers calls can go to: each configured one, else the fallback. */
  members(): readonly AiProvider[] {
    const configured = Object.values(this.configured);
    return configured.length > 0 ? configured : [this.fallback];
  }

  /** Which provider answers `model`, and the model id it is given. */
  route(ref: string): { provider: AiProvider; model: string } {
    const { provider: named, explicit, model } = parseModelRef(ref);
    const wanted = named ?? this.preferred;
    const found = wanted === undefined ? undefined : this.configured[wanted];
    if (found !== undefined) return { provider: found, model };
    // No provider configured at all: a model that names none (a Claude id, as recorded) is
    // the transcript's to replay, or the refusing provider's to explain.
    if (Object.keys(this.configured).length === 0 && !explicit)
      return { provider: this.fallback, model };
    const name = wanted ?? 'anthropic';
    throw new StepError(
      `the model ${ref} is a model of ${name}, and ${name} is not configured: set ${PROVIDER_KEYS[name]}, or choose a model of a configured provider (the channel's model setting, or ai.model)`,
      { code: 'agent_not_configured' },
    );
  }

  async complete(request: ModelRequest, options: ProviderCallOptions): Promise<ModelResponse> {
    const { provider, model } = this.route(request.model);
    const response = await provider.complete({ ...request, model }, options);
    return { ...response, provider: response.provider ?? provider.name };
  }

  health(): Promise<PluginHealth> {
    return this.main().health();
  }

  async close(): Promise<void> {
    for (const member of this.members()) await member.close?.();
  }

  /** The installation's own provider: what `name` and `health` speak for. */
  private main(): AiProvider {
    return (
      (this.preferred === undefined ? undefined : this.configured[this.preferred]) ??
      Object.values(this.configured)[0] ??
      this.fallback
    );
  }
}
