import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Handler } from '../kit/vendor-server.js';
import { slackError } from './slack-wire.js';

/**
 * `apps.connections.open`, added to the description: Slack documents it
 * (https://api.slack.com/methods/apps.connections.open) but the published v2 description
 * predates Socket Mode. It takes no arguments; only an app-level token (`xapp-…`) may call it.
 */
export const CONNECTIONS_OPEN = {
  post: {
    operationId: 'apps_connections_open',
    description: 'Generate a temporary Socket Mode WebSocket URL that your app can connect to.',
    parameters: [{ name: 'token', in: 'header', required: true, schema: { type: 'string' } }],
    responses: { '200': { description: 'Typical success response' } },
  },
} as const;

/** What Slack sends an app over Socket Mode, besides `hello` and `disconnect`. */
export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Envelope {
  readonly envelope_id: string;
  readonly type: EnvelopeType;
  readonly payload: unknown;
  readonly accepts_response_payload: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

/** How long Slack waits for an envelope's acknowledgement before it counts as failed. */
const ACK_TIMEOUT_MS = 3_000;

/**
 * Slack's Socket Mode end: `apps.connections.open` hands out a one-use `wss` URL; a client that
 * connects with it is greeted with `hello`, receives envelopes, and must answer each with
 * `{ envelope_id, payload? }` within 3 s. Tests push envelopes with `send` and get the ack's
 * payload back.
 */
export class SlackSocketMode {
  private readonly tickets = new Set<string>();
  private readonly waiting = new Map<string, (payload: unknown) => void>();
  private readonly sockets = new Set<WebSocket>();
  private readonly greeted: (() => void)[] = [];
  /** Every message the app sent that was not a well-formed acknowledgement of a sent envelope. */
  readonly violations: string[] = [];
  /** Connections the app opened, with the ticket each used. */
  readonly connections: string[] = [];

  private constructor(
    private readonly server: WebSocketServer,
    private readonly appToken: string,
    private readonly appId: string,
  ) {
    server.on('connection', (socket, request) => this.accept(socket, request.url ?? ''));
  }

  static async start(options: { appToken: string; appId: string }): Promise<SlackSocketMode> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new SlackSocketMode(server, options.appToken, options.appId);
  }

  /** The handler of `apps.connections.open`: an app token gets a fresh URL, a bot token not. */
  get connectionsOpen(): Handler {
    return (request) => {
      const token = request.headers.token;
      if (token === undefined || token === '') throw slackError('not_authed');
      if (typeof token === 'string' && token.startsWith('xoxb-'))
        throw slackError('not_allowed_token_type');
      if (token !== this.appToken) throw slackError('invalid_auth');
      const ticket = randomUUID();
      this.tickets.add(ticket);
      const { port } = this.server.address() as AddressInfo;
      return {
        body: {
          ok: true,
          url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${this.appId}`,
        },
      };
    };
  }

  /** Resolves once an app is connected and greeted. */
  connected(): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return new Promise((resolve) => this.greeted.push(resolve));
  }

  /**
   * Sends an envelope to the connected app; resolves with its acknowledgement's payload
   * (undefined when it acknowledged with none), rejects when none comes within 3 s.
   */
  send(
    type: EnvelopeType,
    payload: unknown,
    options: { retryAttempt?: number; envelopeId?: string } = {},
  ): Promise<unknown> {
    const socket = [...this.sockets][0];
    if (socket === undefined) return Promise.reject(new Error('no app is connected'));
    const envelope: Envelope = {
      envelope_id: options.envelopeId ?? randomUUID(),
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api'
        ? {
            retry_attempt: options.retryAttempt ?? 0,
            retry_reason: (options.retryAttempt ?? 0) > 0 ? 'timeout' : '',
          }
        : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(envelope.envelope_id);
        reject(new Error(`envelope ${envelope.envelope_id} (${type}) not acknowledged in 3 s`));
      }, ACK_TIMEOUT_MS);
      this.waiting.set(envelope.envelope_id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      socket.send(JSON.stringify(envelope));
    });
  }

  /** Asks the app to reconnect, as Slack does when it recycles a connection. */
  disconnectAll(reason = 'refresh_requested'): void {
    for (const socket of this.sockets) socket.send(JSON.stringify({ type: 'disconnect', reason }));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket, url: string): void {
    const ticket = new URL(url, 'ws://localhost').searchParams.get('ticket') ?? '';
    if (!this.tickets.delete(ticket)) {
      this.violations.push(`a Socket Mode connection with an unknown or used ticket: ${url}`);
      socket.close(1008, 'invalid ticket');
      return;
    }
    this.connections.push(ticket);
    this.sockets.add(socket);
    const ping = setInterval(() => socket.ping(), 10_000).unref();
    socket.on('close', () => {
      clearInterval(ping);
      this.sockets.delete(socket);
    });
    socket.on('message', (data: Buffer) => this.receive(data.toString()));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.sockets.size,
        debug_info: { host: 'applink-local', approximate_connection_time: 18060 },
        connection_info: { app_id: this.appId },
      }),
    );
    for (const resolve of this.greeted.splice(0)) resolve();
  }

  private receive(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.violations.push(`the app sent a message that is not JSON: ${text.slice(0, 200)}`);
      return;
    }
    const id = message.envelope_id;
    const waiter = typeof id === 'string' ? this.waiting.get(id) : undefined;
    if (waiter === undefined) {
      this.violations.push(`the app acknowledged no envelope we sent: ${text.slice(0, 200)}`);
      return;
    }
    this.waiting.delete(id as string);
    const payload = message.payload;
    const empty =
      payload === undefined ||
      (typeof payload === 'object' && payload !== null && Object.keys(payload).length === 0);
    waiter(empty ? undefined : payload);
  }
}
