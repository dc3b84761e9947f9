import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import CircuitBreaker from 'opossum';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../log/create-logger.js';
import { noMonitoring, type Monitoring } from '../plugins/interfaces/monitoring.js';
import { inCallSpan } from './call-span.js';
import { VendorError } from './vendor-error.js';

export interface GuardSettings {
  /** Calls per second this service accepts from aidev, sustained. */
  readonly ratePerSecond: number;
  /** Calls that may go at once after a quiet spell (default: two seconds' worth). */
  readonly burst?: number;
  /** Extra attempts after a retryable failure. */
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Failed calls (of at least this many in the window) that open the breaker: half or more. */
  readonly breakerVolume: number;
  /** How long the breaker stays open before a probe call is let through. */
  readonly breakerResetMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

const probing = new AsyncLocalStorage<true>();

/**
 * Runs `connect` (a plugin connecting, again) as a probe: each guarded call it makes goes out
 * once, past an open breaker and without retries, and one that is answered closes the breaker.
 * A service that comes back is then used at once, not after `breaker_reset`; a probe that fails
 * does not count against the breaker (the reconnection's own backoff paces the probes).
 */
export function asConnectionProbe<T>(connect: () => Promise<T>): Promise<T> {
  return probing.run(true, connect);
}

/**
 * A rate limit kept where every aidev process sees it (the database), so that several workers
 * together keep to a service's rate: takes a call's turn and says how many ms to wait for it.
 */
export interface SharedRateLimit {
  /** `bucket` names the service's site, e.g. `jira acme.atlassian.net`. */
  take(bucket: string, ratePerSecond: number, burst: number): Promise<number>;
}

/** What a guard guards: a service, at one site (a host name; never a URL with credentials). */
export interface GuardedSite {
  readonly service: string;
  readonly site: string;
}

export interface GuardStats {
  readonly service: string;
  readonly site: string;
  readonly calls: number;
  readonly failures: number;
  readonly retries: number;
  readonly rejected: number;
  readonly latencyMsTotal: number;
  readonly state: BreakerState;
}

/**
 * Every call to one site of an outside service goes through its guard: a rate limit, then a
 * circuit breaker, inside a retry loop with exponential backoff and jitter that honours the
 * service's Retry-After. Only failures the service is to blame for (5xx, 429, network) count
 * against the breaker or are retried; a 404 is an answer, not an outage.
 */
export class ServiceGuard {
  readonly service: string;
  readonly site: string;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private readonly limiter: Bottleneck;
  private counters = { calls: 0, failures: 0, retries: 0, rejected: 0, latencyMsTotal: 0 };
  private sharedFailing = false;
  private readonly shared: SharedRateLimit | undefined;
  private readonly monitoring: Monitoring;
  /** How the guard names its site in messages: `jira at acme.atlassian.net`. */
  private readonly label: string;

  constructor(
    guarded: GuardedSite,
    private readonly settings: GuardSettings,
    private readonly logger: Logger,
    options: { readonly shared?: SharedRateLimit; readonly monitoring?: Monitoring } = {},
  ) {
    this.shared = options.shared;
    this.monitoring = options.monitoring ?? noMonitoring;
    const { service, site } = guarded;
    this.service = service;
    this.site = site;
    const label = `${service} at ${site}`;
    this.label = label;
    this.breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      timeout: false,
      volumeThreshold: settings.breakerVolume,
      errorThresholdPercentage: 50,
      resetTimeout: settings.breakerResetMs,
      rollingCountTimeout: Math.max(10_000, settings.breakerResetMs),
      // Client errors (4xx other than 429) are answers: they do not count as failures.
      errorFilter: (error: unknown) => !(error instanceof VendorError && error.retryable),
    });
    this.breaker.on('open', () =>
      logger.warn(
        { service, site },
        `${label}: too many failures, pausing calls for ${settings.breakerResetMs} ms`,
      ),
    );
    this.breaker.on('halfOpen', () =>
      logger.info({ service, site }, `${label}: trying a call again`),
    );
    this.breaker.on('close', () =>
      logger.info({ service, site }, `${label}: calls are going through again`),
    );
    this.limiter = tokenBucket(settings.ratePerSecond, burstOf(settings));
  }

  /**
   * Runs `fn` (one call to the service) under the rate limit, the breaker and the retries, in
   * a span (#20) that counts the retries and says how the call ended.
   */
  call<T>(what: string, fn: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    return inCallSpan({
      monitoring: this.monitoring,
      site: this,
      what,
      retries: () => this.counters.retries,
      call: () => this.guarded(what, fn, options),
    });
  }

  private async guarded<T>(
    what: string,
    fn: () => Promise<T>,
    options: { signal?: AbortSignal },
  ): Promise<T> {
    if (probing.getStore() === true) return this.probe(fn, options.signal);
    const log = this.logger;
    return pRetry(
      async () => {
        if (this.breaker.opened) {
          this.counters.rejected += 1;
          throw new AbortError(
            new VendorError(
              `${this.label} is failing; calls are paused for up to ${this.settings.breakerResetMs} ms`,
              {
                service: this.service,
                code: 'circuit_open',
                retryable: true,
                retryAfterMs: this.settings.breakerResetMs,
              },
            ),
          );
        }
        this.counters.calls += 1;
        const started = performance.now();
        try {
          return (await this.breaker.fire(async () => {
            await this.waitTurn(options.signal);
            return fn();
          })) as T;
        } catch (error) {
          this.counters.failures += 1;
          throw error;
        } finally {
          this.counters.latencyMsTotal += performance.now() - started;
        }
      },
      {
        retries: this.settings.retries,
        minTimeout: 0,
        maxTimeout: 0,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const vendor = error instanceof VendorError ? error : undefined;
          if (vendor?.retryable !== true || retriesLeft === 0) throw error;
          const wait = vendor.retryAfterMs ?? this.backoff(attemptNumber);
          this.counters.retries += 1;
          log.warn(
            {
              service: this.service,
              site: this.site,
              call: what,
              attempt: attemptNumber,
              waitMs: Math.round(wait),
              status: vendor.status,
            },
            `${this.label}: ${what} failed (${vendor.message}); retrying`,
          );
          await sleep(
            wait,
            undefined,
            options.signal === undefined ? undefined : { signal: options.signal },
          ).catch(() => {
            throw options.signal?.reason ?? new Error('aborted');
          });
        },
      },
    );
  }

  private async probe<T>(fn: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    this.counters.calls += 1;
    const started = performance.now();
    try {
      await this.waitTurn(signal);
      const result = await fn();
      if (!this.breaker.closed) this.breaker.close();
      return result;
    } catch (error) {
      this.counters.failures += 1;
      throw error;
    } finally {
      this.counters.latencyMsTotal += performance.now() - started;
    }
  }

  /**
   * Waits for this call's turn under the site's rate: the shared bucket when there is one
   * (every process on the database together, one bucket per site), else this process's own.
   */
  private async waitTurn(signal: AbortSignal | undefined): Promise<void> {
    if (this.shared !== undefined) {
      try {
        const wait = await this.shared.take(
          `${this.service} ${this.site}`,
          this.settings.ratePerSecond,
          burstOf(this.settings),
        );
        this.sharedFailing = false;
        if (wait > 0) await sleep(wait, undefined, signal === undefined ? undefined : { signal });
        return;
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        // Calls go on at this process's own rate rather than stop because the database did.
        if (!this.sharedFailing)
          this.logger.warn(
            { err: error, service: this.service, site: this.site },
            `${this.label}: the shared rate limit is unavailable; keeping to this process's own`,
          );
        this.sharedFailing = true;
      }
    }
    await this.limiter.schedule(() => Promise.resolve());
  }

  /** Exponential backoff with full jitter, capped. */
  private backoff(attempt: number): number {
    const ceiling = Math.min(
      this.settings.retryMaxMs,
      this.settings.retryBaseMs * 2 ** (attempt - 1),
    );
    return Math.random() * ceiling;
  }

  state(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  stats(): GuardStats {
    return { service: this.service, site: this.site, ...this.counters, state: this.state() };
  }

  shutdown(): void {
    this.breaker.shutdown();
    void this.limiter.disconnect();
  }
}

/**
 * A token bucket: `burst` calls may go at once, then `rate` per second. A step's short burst
 * (a commit is five requests) is not slowed, a sustained stream keeps to the service's rate.
 */
function tokenBucket(ratePerSecond: number, burst: number) {
  // Refill in steps of at least 50 ms, so that high rates do not mean a 1 ms timer.
  const amount = Math.max(1, Math.round(ratePerSecond / 20));
  const interval = Math.round((1000 * amount) / ratePerSecond);
  return new Bottleneck({
    reservoir: burst,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseInterval: interval,
    reservoirIncreaseMaximum: burst,
    // Bottleneck refills on its heartbeat (250 ms by default): without this, 10/s became 4/s.
    heartbeatInterval: Math.min(250, interval),
  });
}

/** Calls that may go at once after a quiet spell: as set, or two seconds' worth. */
function burstOf(settings: GuardSettings): number {
  return settings.burst ?? Math.max(1, Math.round(settings.ratePerSecond * 2));
}
