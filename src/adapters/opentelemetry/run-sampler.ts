import {
  createContextKey,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  SamplingDecision,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SamplingResult,
} from '@opentelemetry/sdk-trace';
import type { SamplerSettings } from '../../config/otel-env.js';

/** The SDK's sampler for OTEL_TRACES_SAMPLER / _ARG, as the specification names them. */
export function sdkSampler({ name, ratio }: SamplerSettings): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** Set on the context a run's root span is started in: the run's stored trace context. */
const RUN_TRACE = createContextKey('aidev: the trace context a run was given when created');

/** The context to start a run's root span in (as a root: it has no parent). */
export function runRootContext(run: SpanContext): Context {
  return ROOT_CONTEXT.setValue(RUN_TRACE, run);
}

/**
 * The configured sampler, deciding a run's root span as it decides the run's other spans: as
 * if the run's stored trace context were its parent. The root span is sent at the run's end,
 * perhaps by another process than the one that decided whether the run is traced; this way a
 * parent-based sampler keeps the stored decision for it too, and the others (which ignore
 * parents) decide as they do for the run's steps. Either way, all of a run's spans or none.
 */
export class RunSampler implements Sampler {
  constructor(private readonly inner: Sampler) {}

  /** Whether a new run, of this trace id, is traced: its traceparent's sampled flag. */
  decideNewRun(traceId: string): boolean {
    const result = this.inner.shouldSample(ROOT_CONTEXT, traceId, 'run', SpanKind.INTERNAL, {}, []);
    return result.decision === SamplingDecision.RECORD_AND_SAMPLED;
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const run = context.getValue(RUN_TRACE) as SpanContext | undefined;
    const decideIn =
      run === undefined ? context : trace.setSpanContext(ROOT_CONTEXT, { ...run, isRemote: true });
    return this.inner.shouldSample(decideIn, traceId, spanName, spanKind, attributes, links);
  }

  toString(): string {
    return `RunSampler{${this.inner.toString()}}`;
  }
}
