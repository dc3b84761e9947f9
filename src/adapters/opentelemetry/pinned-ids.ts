import { RandomIdGenerator, type IdGenerator } from '@opentelemetry/sdk-trace';

/**
 * Random trace and span ids, except for one span whose ids were chosen before it existed: the
 * run's root span. Its traceparent is made when the run is created (every worker's steps are
 * its children) and the span itself is sent when the run ends, perhaps by another process.
 * The SDK has no other way to give a span known ids; `startSpan` is synchronous, so the pin
 * covers exactly that one span.
 */
export class PinnedIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private pinned: { traceId: string; spanId: string } | undefined;

  generateTraceId(): string {
    return this.pinned?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.pinned?.spanId ?? this.random.generateSpanId();
  }

  /** Runs `start` (which starts one root span, synchronously) with these ids. */
  with<T>(ids: { traceId: string; spanId: string }, start: () => T): T {
    this.pinned = ids;
    try {
      return start();
    } finally {
      this.pinned = undefined;
    }
  }
}
