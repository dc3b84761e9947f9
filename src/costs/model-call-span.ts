import type { ModelRequest, ModelResponse } from '../plugins/interfaces/ai-provider.js';
import type { ActiveSpan, Monitoring } from '../plugins/interfaces/monitoring.js';
import type { CallMeta } from './metered-provider.js';

/**
 * A model call in a span (#20), named and described as OpenTelemetry's generative-AI semantic
 * conventions do (`chat <model>`, `gen_ai.*`): which model and provider, the tokens the
 * provider reported and what they cost. Never the prompt, the system text, the tools' inputs
 * or the answer.
 */
export function inModelCallSpan<T>(
  monitoring: Monitoring,
  call: { readonly provider: string; readonly request: ModelRequest; readonly meta: CallMeta },
  fn: (span: ActiveSpan) => Promise<T>,
): Promise<T> {
  const { request, meta } = call;
  return monitoring.inSpan(
    {
      kind: 'model_call',
      name: `chat ${request.model}`,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': call.provider,
        'gen_ai.request.model': request.model,
        'gen_ai.request.max_tokens': request.maxTokens,
        'aidev.run.id': meta.runId,
        'aidev.step.name': meta.stepName,
        'aidev.conversation': meta.conversation?.name,
        'aidev.conversation.turn': meta.conversation?.turn,
      },
    },
    fn,
  );
}

/** What the provider reported and what it cost: on the span, and added to the counters. */
export function recordModelUsage(
  monitoring: Monitoring,
  span: ActiveSpan,
  call: { readonly provider: string; readonly request: ModelRequest },
  response: ModelResponse,
  costUsd: string,
): void {
  const { usage } = response;
  const cacheWrite = usage.cacheWriteTokens + (usage.cacheWrite1hTokens ?? 0);
  span.setAttributes({
    'gen_ai.response.model': response.model,
    'gen_ai.response.id': response.id,
    'aidev.model.stop_reason': response.stopReason,
    'gen_ai.usage.input_tokens': usage.inputTokens,
    'gen_ai.usage.output_tokens': usage.outputTokens,
    'gen_ai.usage.cache_read.input_tokens': usage.cacheReadTokens,
    'gen_ai.usage.cache_creation.input_tokens': cacheWrite,
    'aidev.cost.usd': Number(costUsd),
  });
  const by = { 'gen_ai.provider.name': call.provider, 'gen_ai.request.model': call.request.model };
  const tokens: [string, number][] = [
    ['input', usage.inputTokens],
    ['output', usage.outputTokens],
    ['cache_read', usage.cacheReadTokens],
    ['cache_write', cacheWrite],
  ];
  for (const [type, count] of tokens)
    if (count > 0)
      monitoring.count('aidev.model.tokens', count, { ...by, 'gen_ai.token.type': type });
  monitoring.count('aidev.model.cost', Number(costUsd), by);
}
