import { z } from 'zod';
import type { WebSocket } from 'ws';
import type { EngineEvent, EngineEventBus } from '../../engine/engine-events.js';
import type { Logger } from '../../log/create-logger.js';
import type { Principal } from './authenticate.js';

/** Messages change shape only with a new version; clients check it. */
export const EVENT_STREAM_VERSION = 1;

export interface EventStreamOptions {
  /** How often clients are pinged; one that has not answered the previous ping is dropped. */
  readonly heartbeatMs?: number;
  /** Bytes waiting to be sent to one client beyond which it is too slow and is disconnected. */
  readonly maxBufferedBytes?: number;
  /** Runs one connection may follow one by one (it may also follow all). */
  readonly maxRunsPerClient?: number;
  /**
   * How often the tokens of open connections are read again: a token revoked (in any process)
   * or expired since its connection opened closes it within this time.
   */
  readonly tokenCheckMs?: number;
}

export const DEFAULT_EVENT_STREAM: Required<EventStreamOptions> = {
  heartbeatMs: 30_000,
  maxBufferedBytes: 1024 * 1024,
  maxRunsPerClient: 100,
  tokenCheckMs: 5_000,
};

/** Why a token may no longer be used (revoked, expired, unknown), or undefined while it may. */
export type TokenCheck = (tokenId: string) => Promise<string | undefined>;

/** The close code of a connection whose token was revoked or expired: Policy Violation. */
export const TOKEN_CLOSE_CODE = 1008;

const clientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('subscribe'), run_id: z.uuid().optional() }),
  z.strictObject({ type: z.literal('unsubscribe'), run_id: z.uuid().optional() }),
]);

interface Client {
  readonly socket: WebSocket;
  readonly who: string;
  readonly tokenId: string;
  all: boolean;
  readonly runs: Set<string>;
  alive: boolean;
}

/**
 * The engine's events for WebSocket clients (`/api/v1/events`). One subscription to the bus
 * serves every client; each event is serialized once and handed to the sockets without waiting
 * for them. A client that does not keep up (its unsent bytes pass `maxBufferedBytes`) or stops
 * answering pings is disconnected: a slow reader costs memory up to the limit, never time.
 * The tokens of open connections are read again every `tokenCheckMs` (and at once with
 * `checkTokens()`): one revoked or expired closes its connections with 1008 and the reason.
 */
export class EventHub {
  private readonly clients = new Set<Client>();
  private readonly options: Required<EventStreamOptions>;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly tokenTimer: NodeJS.Timeout;
  /** A timed check still running: the next tick skips rather than piles up behind it. */
  private checking = false;

  constructor(
    bus: EngineEventBus,
    private readonly logger: Logger,
    options: EventStreamOptions = {},
    private readonly runExists: (id: string) => Promise<boolean> = () => Promise.resolve(true),
    private readonly tokenCheck: TokenCheck = () => Promise.resolve(undefined),
  ) {
    this.options = { ...DEFAULT_EVENT_STREAM, ...options };
    this.unsubscribe = bus.subscribe((event) => this.publish(event));
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
    this.tokenTimer = setInterval(() => this.timedCheck(), this.options.tokenCheckMs);
    this.tokenTimer.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  attach(socket: WebSocket, principal: Principal): void {
    const client: Client = {
      socket,
      who: principal.by,
      tokenId: principal.tokenId,
      all: false,
      runs: new Set(),
      alive: true,
    };
    this.clients.add(client);
    socket.on('pong', () => {
      client.alive = true;
    });
    socket.on('message', (data: Buffer) => {
      void this.receive(client, data.toString('utf8'));
    });
    socket.on('close', () => this.clients.delete(client));
    socket.on('error', () => this.drop(client, 'socket error'));
    this.send(client, {
      type: 'ready',
      heartbeat_ms: this.options.heartbeatMs,
      hint: 'send {"type":"subscribe"} for every run, or {"type":"subscribe","run_id":"…"} for one',
    });
  }

  private timedCheck(): void {
    if (this.checking) return;
    this.checking = true;
    void this.checkTokens().finally(() => {
      this.checking = false;
    });
  }

  /**
   * Reads the token of every open connection again and closes those it no longer allows. Always
   * a fresh read: a check already running may have read a token before it was revoked.
   */
  async checkTokens(): Promise<void> {
    const tokenIds = new Set([...this.clients].map((c) => c.tokenId));
    for (const tokenId of tokenIds) {
      let refusal: string | undefined;
      try {
        refusal = await this.tokenCheck(tokenId);
      } catch (error) {
        // The database is away for a moment: the next check decides; requests fail meanwhile.
        this.logger.warn({ err: error }, 'could not check the token of an event stream');
        continue;
      }
      if (refusal === undefined) continue;
      for (const client of this.clients)
        if (client.tokenId === tokenId) this.refuse(client, refusal);
    }
  }

  /** Closes a connection whose token may no longer be used: no event reaches it after this. */
  private refuse(client: Client, reason: string): void {
    if (!this.clients.delete(client)) return;
    this.logger.info({ subscriber: client.who }, `closed an event stream: ${reason}`);
    // A close reason is at most 123 bytes.
    client.socket.close(TOKEN_CLOSE_CODE, Buffer.from(reason).subarray(0, 123).toString());
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.heartbeat);
    clearInterval(this.tokenTimer);
    for (const client of this.clients) client.socket.terminate();
    this.clients.clear();
  }

  private publish(event: EngineEvent): void {
    let message: string | undefined;
    for (const client of this.clients) {
      if (!client.all && !client.runs.has(event.runId)) continue;
      message ??= JSON.stringify({
        version: EVENT_STREAM_VERSION,
        type: event.type,
        run_id: event.runId,
        step: event.step ?? null,
        level: event.level,
        message: event.message,
        data: event.data,
        at: event.at.toISOString(),
      });
      this.deliver(client, message);
    }
  }

  private async receive(client: Client, text: string): Promise<void> {
    let parsed;
    try {
      parsed = clientMessage.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success !== true)
      return this.send(client, {
        type: 'error',
        message: 'expected {"type":"subscribe"|"unsubscribe","run_id"?: "<run id>"}',
      });
    const { type, run_id: runId } = parsed.data;
    if (type === 'unsubscribe') {
      if (runId === undefined) client.all = false;
      else client.runs.delete(runId);
      return this.send(client, { type: 'unsubscribed', run_id: runId ?? null });
    }
    if (runId === undefined) client.all = true;
    else if (client.runs.size >= this.options.maxRunsPerClient)
      return this.send(client, {
        type: 'error',
        message: `at most ${this.options.maxRunsPerClient} runs one by one: subscribe to all runs instead`,
      });
    else if (!(await this.runExists(runId)))
      return this.send(client, { type: 'error', message: `there is no run ${runId}` });
    else client.runs.add(runId);
    this.send(client, { type: 'subscribed', run_id: runId ?? null });
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        this.drop(client, 'it did not answer the last ping');
        continue;
      }
      client.alive = false;
      client.socket.ping();
      this.send(client, { type: 'heartbeat', at: new Date().toISOString() });
    }
  }

  private send(client: Client, message: Record<string, unknown>): void {
    this.deliver(client, JSON.stringify({ version: EVENT_STREAM_VERSION, ...message }));
  }

  private deliver(client: Client, message: string): void {
    if (client.socket.readyState !== client.socket.OPEN) return;
    if (client.socket.bufferedAmount + message.length > this.options.maxBufferedBytes) {
      this.drop(
        client,
        `it is too slow: ${client.socket.bufferedAmount} bytes were waiting to be sent`,
      );
      return;
    }
    client.socket.send(message);
  }

  private drop(client: Client, why: string): void {
    if (!this.clients.delete(client)) return;
    this.logger.warn({ subscriber: client.who }, `disconnected an event subscriber: ${why}`);
    // Not close(): its closing handshake would wait behind the very bytes it does not read.
    client.socket.terminate();
  }
}
