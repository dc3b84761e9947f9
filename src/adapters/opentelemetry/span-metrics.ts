import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import type {
  Attributes,
  AttributeValue,
  MonitoringMetric,
  SpanKind,
} from '../../plugins/interfaces/monitoring.js';

/**
 * Each span's duration as a histogram, with only the span's attributes that have few values
 * (a workflow, a service, an outcome; never a run id or an operation's text), so that the
 * metrics stay cheap to store. The names follow OpenTelemetry's semantic conventions where
 * they have one (`gen_ai.client.operation.duration`).
 */
const DURATIONS: Readonly<
  Record<SpanKind | 'run', { name: string; description: string; keep: readonly string[] }>
> = {
  run: {
    name: 'aidev.run.duration',
    description: 'Runs, from their creation to their end',
    keep: ['aidev.workflow', 'aidev.run.trigger', 'aidev.run.outcome'],
  },
  step: {
    name: 'aidev.step.duration',
    description: 'Executions of workflow steps, by one worker each',
    keep: ['aidev.workflow', 'aidev.step.kind', 'aidev.step.outcome', 'error.type'],
  },
  vendor_call: {
    name: 'aidev.vendor.call.duration',
    description: 'Calls to outside services through their guard, retries included',
    keep: ['aidev.vendor.service', 'server.address', 'aidev.vendor.outcome', 'error.type'],
  },
  tool_call: {
    name: 'aidev.agent.tool.duration',
    description: 'Agents’ tool calls: commands in the sandbox, files read and edited',
    keep: ['gen_ai.tool.name', 'aidev.tool.outcome', 'error.type'],
  },
  model_call: {
    name: 'gen_ai.client.operation.duration',
    description: 'Model calls, from the budget check to the recorded cost',
    keep: [
      'gen_ai.operation.name',
      'gen_ai.provider.name',
      'gen_ai.request.model',
      'gen_ai.response.model',
      'error.type',
    ],
  },
};

/** Counters, by model, provider and token type: few values each. */
const COUNTED = ['gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.token.type'];

export class SpanMetrics {
  private readonly histograms = new Map<string, Histogram>();
  private readonly counters = new Map<string, Counter>();

  constructor(private readonly meter: Meter) {}

  record(kind: SpanKind | 'run', seconds: number, attributes: Attributes): void {
    const spec = DURATIONS[kind];
    let histogram = this.histograms.get(spec.name);
    if (histogram === undefined) {
      histogram = this.meter.createHistogram(spec.name, {
        unit: 's',
        description: spec.description,
      });
      this.histograms.set(spec.name, histogram);
    }
    histogram.record(seconds, pick(attributes, spec.keep));
  }

  count(
    metric: MonitoringMetric,
    spec: { readonly unit: string; readonly description: string },
    value: number,
    attributes: Attributes,
  ): void {
    let counter = this.counters.get(metric);
    if (counter === undefined) {
      counter = this.meter.createCounter(metric, spec);
      this.counters.set(metric, counter);
    }
    counter.add(value, pick(attributes, COUNTED));
  }
}

function pick(attributes: Attributes, keep: readonly string[]): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key of keep) {
    const value = attributes[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
