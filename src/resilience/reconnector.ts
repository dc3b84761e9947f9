import type { Logger } from '../log/create-logger.js';
import { scrubSecrets } from '../log/scrub-secrets.js';
import { asConnectionProbe } from './service-guard.js';

/** How long to wait between connection attempts: doubling from the first delay, capped. */
export interface ReconnectTiming {
  /** After the first failure (default 1 s). */
  readonly initialDelayMs?: number;
  /** The longest wait between attempts (default 60 s). */
  readonly maxDelayMs?: number;
  /** An attempt that has not answered by then has failed (default 15 s). */
  readonly attemptTimeoutMs?: number;
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'retrying' | 'stopped';

export interface ReconnectorOptions extends ReconnectTiming {
  /** What connects, as the log and /ready name it, service included: "the jira plugin". */
  readonly name: string;
  /** The service it talks to, for the log's `service` field. */
  readonly service: string;
  /** One attempt; throws why it failed. */
  readonly connect: () => Promise<void>;
  readonly logger: Logger;
  /**
   * Whether failed attempts are followed by more in the background (default true); without,
   * only `ensure()` tries again (a one-off check).
   */
  readonly background?: boolean;
  /** Called each time a connection is made (the first time, and after failures). */
  readonly onConnected?: () => void;
  /** Default: Math.random, for the jitter. */
  readonly random?: () => number;
}

const DEFAULTS = { initialDelayMs: 1_000, maxDelayMs: 60_000, attemptTimeoutMs: 15_000 };

/**
 * Keeps trying to connect something to an outside service that was unreachable, so that a
 * vendor's outage at start-up never needs a restart (issue 16): after a failed attempt the
 * next one is scheduled with exponential backoff and jitter, each failure is logged with the
 * service and the reason (secrets scrubbed), and a caller that needs the connection now can
 * make an attempt itself with `ensure()` (shared with one under way).
 *
 * @example
 * const slack = new Reconnector({ name: 'the Slack app', service: 'slack', connect, logger });
 * await slack.start(); // false: unreachable, retried in the background
 * slack.status(); // { ok: false, detail: 'could not connect: …; next attempt in 2 s (1 failed)' }
 */
export class Reconnector {
  private currentState: ConnectionState = 'idle';
  private failures = 0;
  private reason: string | undefined;
  private attempt: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextAttemptAt: number | undefined;
  private readonly timing: Required<ReconnectTiming>;

  constructor(private readonly options: ReconnectorOptions) {
    this.timing = {
      initialDelayMs: options.initialDelayMs ?? DEFAULTS.initialDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULTS.maxDelayMs,
      attemptTimeoutMs: options.attemptTimeoutMs ?? DEFAULTS.attemptTimeoutMs,
    };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The first attempt. Never throws: on failure, attempts go on in the background. */
  async start(): Promise<boolean> {
    if (this.currentState === 'stopped') return false;
    try {
      if (this.currentState !== 'connected') await this.tryOnce();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Connected already, or one attempt now (joining one under way); throws why it failed, and
   * the background attempts go on. Before `start()`, nothing is known: it does not connect.
   */
  async ensure(): Promise<void> {
    if (this.currentState === 'connected' || this.currentState === 'idle') return;
    if (this.currentState === 'stopped') throw new Error(`${this.options.name} is stopped`);
    await this.tryOnce();
  }

  /** No more attempts (shutdown); safe to call more than once. */
  stop(): void {
    this.currentState = 'stopped';
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** For readiness: connected, or why not and when the next attempt is. */
  status(): { ok: boolean; detail: string } {
    switch (this.currentState) {
      case 'connected':
        return { ok: true, detail: 'connected' };
      case 'idle':
        return { ok: false, detail: 'not connected yet' };
      case 'connecting':
        return { ok: false, detail: 'connecting' };
      case 'stopped':
        return { ok: false, detail: 'stopped' };
      case 'retrying': {
        const next =
          this.nextAttemptAt !== undefined
            ? `; next attempt in ${seconds(Math.max(0, this.nextAttemptAt - Date.now()))} (${this.failures} failed)`
            : this.attempt !== undefined
              ? `; trying again now (${this.failures} failed)`
              : '';
        return { ok: false, detail: `could not connect: ${this.reason ?? 'unknown'}${next}` };
      }
    }
  }

  private tryOnce(): Promise<void> {
    if (this.currentState !== 'retrying') this.currentState = 'connecting';
    this.attempt ??= this.connectWithTimeout()
      .then(
        () => this.succeeded(),
        (error: unknown) => {
          this.failed(error);
          throw error;
        },
      )
      .finally(() => {
        this.attempt = undefined;
      });
    return this.attempt;
  }

  private async connectWithTimeout(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        // Probes: past a breaker that the outage opened, so that a service back is used at once.
        asConnectionProbe(this.options.connect),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${seconds(this.timing.attemptTimeoutMs)}`)),
            this.timing.attemptTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private succeeded(): void {
    if (this.currentState === 'stopped') return;
    const { name, service, logger } = this.options;
    if (this.failures > 0)
      logger.info(
        { service, failedAttempts: this.failures },
        `${name} connected after ${this.failures} failed attempt(s)`,
      );
    clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAttemptAt = undefined;
    this.currentState = 'connected';
    this.failures = 0;
    this.reason = undefined;
    this.options.onConnected?.();
  }

  private failed(error: unknown): void {
    if (this.currentState === 'stopped') return;
    const { name, service, logger } = this.options;
    this.failures += 1;
    this.reason = scrubSecrets(error instanceof Error ? error.message : String(error));
    this.currentState = 'retrying';
    if (this.options.background === false) {
      logger.warn({ service, attempt: this.failures }, `${name} could not connect: ${this.reason}`);
      return;
    }
    const delay = this.delay();
    logger.warn(
      { service, attempt: this.failures, retryInMs: Math.round(delay) },
      `${name} could not connect: ${this.reason}; trying again in ${seconds(delay)}`,
    );
    clearTimeout(this.timer);
    this.nextAttemptAt = Date.now() + delay;
    // Unref'd: a process that is otherwise done does not stay up to reconnect.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextAttemptAt = undefined;
      if (this.currentState === 'retrying') this.tryOnce().catch(() => undefined);
    }, delay).unref();
  }

  /** Exponential, with ±20 % jitter so that several processes do not retry in step. */
  private delay(): number {
    const base = Math.min(
      this.timing.maxDelayMs,
      this.timing.initialDelayMs * 2 ** Math.min(this.failures - 1, 30),
    );
    return base * (0.8 + 0.4 * (this.options.random ?? Math.random)());
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
