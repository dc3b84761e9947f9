import type { ReceivedSpan } from './otlp-model.js';

const SHOWN = [
  'aidev.step.outcome',
  'aidev.step.attempt',
  'aidev.vendor.outcome',
  'aidev.vendor.retries',
  'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens',
  'aidev.cost.usd',
  'error.type',
];

/**
 * A trace as a tree, for people: each span with the process that sent it, its duration and
 * its main attributes. Spans whose parent was not received are shown at the top.
 */
export function renderTrace(spans: readonly ReceivedSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, ReceivedSpan[]>();
  for (const span of [...spans].sort((a, b) => (a.startNs < b.startNs ? -1 : 1))) {
    const parent = ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [`trace ${spans[0]?.traceId ?? '(none)'}`];
  const walk = (parent: string, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const ms = Number(span.endNs - span.startNs) / 1e6;
      const shown = SHOWN.filter((key) => span.attributes[key] !== undefined)
        .map((key) => `${key}=${String(span.attributes[key])}`)
        .join(' ');
      const where = String(span.resource['service.instance.id'] ?? '?');
      lines.push(
        `${'  '.repeat(depth)}└ ${span.name} [${span.spanId}] ${ms.toFixed(0)} ms @${where}${span.status === 2 ? ' ERROR' : ''}${shown === '' ? '' : ` {${shown}}`}`,
      );
      walk(span.spanId, depth + 1);
    }
  };
  walk('', 1);
  return lines.join('\n');
}
