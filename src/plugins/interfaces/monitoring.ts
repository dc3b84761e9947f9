/**
 * The monitoring interface (#20): traces and metrics of runs, steps, vendor calls and model
 * calls, in a vendor-neutral shape core code may use. `src/adapters/opentelemetry/` implements
 * it over OTLP; `noMonitoring` is the default when no exporter is configured (Prometheus
 * `/metrics`, src/http/metrics.ts, is served either way and does not depend on this).
 *
 * What goes into spans is chosen here, by the callers: ids, names, counts, outcomes. Never
 * credentials, never prompt or answer text, never step inputs or outputs.
 */

export type AttributeValue = string | number | boolean;
/** Span and metric attributes; undefined values are left out. */
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

/**
 * What a span is of: a workflow step, one guarded call to an outside service, a model call, or
 * an agent's use of one of its tools (a command in the sandbox, a file read or edited).
 */
export type SpanKind = 'step' | 'vendor_call' | 'model_call' | 'tool_call';

export interface SpanOptions {
  readonly kind: SpanKind;
  /** Low in variety: `step implement`, `chat claude-sonnet-4-5`, `github GET /repos/{owner}/{repo}`. */
  readonly name: string;
  readonly attributes?: Attributes;
  /**
   * The run's trace (its W3C traceparent): a step's span is its child, whichever worker runs
   * it. Spans without it (vendor and model calls) are children of the span in progress.
   */
  readonly traceparent?: string;
}

/** The span in progress, for what is known only at its end (tokens, retries, outcome). */
export interface ActiveSpan {
  setAttributes(attributes: Attributes): void;
  /** A point in the span's time: a retry, a wait. */
  addEvent(name: string, attributes?: Attributes): void;
  /** Marks the span failed without an exception (a step whose outcome is "failed"). */
  fail(reason: string): void;
}

/** How the whole run ended, for its root span. */
export interface RunEnd {
  /** Unset for a run that was never traced: its duration is still measured. */
  readonly traceparent?: string;
  readonly runId: string;
  readonly workflow: string;
  readonly trigger: string;
  readonly outcome: 'succeeded' | 'failed' | 'cancelled';
  readonly createdAt: Date;
}

/** Metrics core code records beside the spans (durations come from the spans themselves). */
export const MONITORING_METRICS = {
  'aidev.model.tokens': {
    unit: '{token}',
    description: 'Tokens of model calls, by model, provider and type (input, output, cache)',
  },
  'aidev.model.cost': {
    unit: 'USD',
    description: 'What model calls cost, by model and provider',
  },
} as const;
export type MonitoringMetric = keyof typeof MONITORING_METRICS;

export interface Monitoring {
  /** Where traces and metrics go, for `config check` and `/ready` (never header values). */
  readonly destination: string;
  /** Whether spans are exported at all: no trace context is made for runs otherwise. */
  readonly tracing: boolean;
  /** A new run's trace: the traceparent of its root span, to keep with the run. */
  newRunTrace(): string | undefined;
  /** The run ended: its root span, from its creation to now, under the id `newRunTrace` gave. */
  endRun(run: RunEnd): void;
  /**
   * Runs `fn` in a span: a child of `traceparent` when given, else of the span in progress,
   * else a new trace. A throw marks the span failed (by the error's name or code, never its message).
   */
  inSpan<T>(options: SpanOptions, fn: (span: ActiveSpan) => Promise<T>): Promise<T>;
  /** Adds `value` to a counter. */
  count(metric: MonitoringMetric, value: number, attributes?: Attributes): void;
  /** Where telemetry goes and whether its exports fail now, for `/ready`. */
  status(): { ok: boolean; detail: string };
  /** Sends what is still buffered; safe to call more than once. */
  shutdown(): Promise<void>;
}

const noSpan: ActiveSpan = {
  setAttributes: () => undefined,
  addEvent: () => undefined,
  fail: () => undefined,
};

/** Monitoring that records nothing: the default with no exporter configured. */
export const noMonitoring: Monitoring = {
  destination: 'off: no OTLP endpoint set',
  tracing: false,
  newRunTrace: () => undefined,
  endRun: () => undefined,
  inSpan: (_options, fn) => fn(noSpan),
  count: () => undefined,
  status: () => ({ ok: true, detail: 'off: no OTLP endpoint set (Prometheus /metrics only)' }),
  shutdown: () => Promise.resolve(),
};
