import {
  VendorServer,
  type Fault,
  type HandlerRequest,
  type RecordedRequest,
} from '../kit/vendor-server.js';
import { DECLARED_GET, slackServerDescription } from './slack-description.js';
import { slackHandlers } from './slack-handlers.js';
import { slackError, slackErrorBody, slackPrepare } from './slack-wire.js';
import { SlackSocketMode } from './socket-mode.js';
import { SlackWorkspace, type SlackWorkspaceOptions } from './slack-workspace.js';

export {
  DEFAULT_BOT,
  DEFAULT_CHANNELS,
  DEFAULT_TEAM,
  DEFAULT_USERS,
  type ChannelState,
} from './slack-workspace.js';

export interface SlackServerOptions extends SlackWorkspaceOptions {
  /** The bot token (`xoxb-…`) the app calls with; any other token is `invalid_auth`. */
  readonly botToken: string;
  /** An app-level token (`xapp-…`): Socket Mode is served for it (see `socketMode`). */
  readonly appToken?: string;
  /** The port to listen on (default: any free one): a test that starts Slack "late" keeps one. */
  readonly port?: number;
}

/**
 * A local Slack Web API (`<url>/api/<method>`) for the methods aidev's Slack app calls, over an
 * in-memory workspace (users, conversations with threads, ephemeral messages, views), every
 * call checked against Slack's published description and Block Kit's limits.
 *
 * @example
 * const slack = await startSlackServer({ botToken: 'xoxb-test' });
 * const client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl });
 * await client.chat.postMessage({ channel: 'C0AIDEV0001', text: 'hi' });
 * expect(slack.channel('C0AIDEV0001').messages.map((m) => m.text)).toEqual(['hi']);
 */
export class SlackServer extends SlackWorkspace {
  private constructor(
    readonly http: VendorServer,
    private readonly botToken: string,
    options: SlackWorkspaceOptions,
    /** Slack's Socket Mode end, when the server was started with an `appToken`. */
    readonly socketMode: SlackSocketMode | undefined,
  ) {
    super(options);
  }

  static async start(options: SlackServerOptions): Promise<SlackServer> {
    const holder: { server?: SlackServer } = {};
    const { document, fieldTypes } = await slackServerDescription();
    const handlers = slackHandlers(() => holder.server as SlackServer);
    // The declared-GET twin of a method shares its handler (see slack-description.ts).
    const ids = new Set(
      Object.values(document.paths ?? {}).flatMap((item) =>
        Object.values(item ?? {}).map((op) => (op as { operationId?: string }).operationId),
      ),
    );
    const { botToken, appToken, port, ...workspace } = options;
    const socketMode =
      appToken === undefined
        ? undefined
        : await SlackSocketMode.start({ appToken, appId: 'A0AIDEV0APP' });
    handlers.apps_connections_open =
      socketMode?.connectionsOpen ??
      (() => {
        throw slackError('not_allowed_token_type');
      });
    for (const [id, handler] of Object.entries(handlers))
      if (ids.has(`${id}${DECLARED_GET}`)) handlers[`${id}${DECLARED_GET}`] = handler;
    const http = new VendorServer({
      name: 'Slack',
      definition: document,
      apiRoot: '/api',
      handlers,
      errorBody: slackErrorBody,
      prepare: slackPrepare(fieldTypes),
    });
    holder.server = new SlackServer(http, botToken, workspace, socketMode);
    await http.start(port);
    return holder.server;
  }

  get url(): string {
    return this.http.url;
  }

  /** What to give the WebClient (or Bolt's `clientOptions`) as `slackApiUrl`. */
  get apiUrl(): string {
    return `${this.http.url}/api/`;
  }

  get requests(): readonly RecordedRequest[] {
    return this.http.requests;
  }

  /** Calls the real Slack would refuse or that break Block Kit's limits; tests expect none. */
  get violations(): readonly string[] {
    return [...this.http.violations, ...(this.socketMode?.violations ?? [])];
  }

  /** The violations so far, forgotten: for a test that provokes them on purpose. */
  takeViolations(): string[] {
    return this.http.violations.splice(0);
  }

  /** The recorded calls of one Web API method, e.g. `calls('chat.update')`. */
  calls(method: string): RecordedRequest[] {
    return this.http.requests.filter((r) => r.path === `/api/${method}`);
  }

  count(method?: string): number {
    return method === undefined ? this.http.requests.length : this.calls(method).length;
  }

  /** Scripts failures for the next matching calls (the kit's faults). */
  inject(fault: Fault): void {
    this.http.inject(fault);
  }

  /** The next `times` calls of a method are answered 429 `ratelimited` with `Retry-After`. */
  rateLimit(method: string, options: { retryAfterSeconds?: number; times?: number } = {}): void {
    this.inject({
      when: (r) => r.path === `/api/${method}`,
      times: options.times ?? 1,
      status: 429,
      headers: { 'retry-after': String(options.retryAfterSeconds ?? 1) },
      body: { ok: false, error: 'ratelimited' },
    });
  }

  /** The next `times` calls of a method fail with a 5xx (default 503). */
  failNext(method: string, options: { status?: number; times?: number } = {}): void {
    const status = options.status ?? 503;
    this.inject({
      when: (r) => r.path === `/api/${method}`,
      times: options.times ?? 1,
      status,
      body: slackErrorBody(status, 'scripted failure'),
    });
  }

  /** Forgets messages, views and traffic; users and channels are back to the configured ones. */
  reset(): void {
    this.resetWorkspace();
    this.http.resetTraffic();
  }

  async close(): Promise<void> {
    await this.socketMode?.close();
    await this.http.close();
  }

  /** Checks the call's token (header, form field or query): `not_authed`, `invalid_auth`. */
  authenticate(request: HandlerRequest): void {
    const token = request.headers.token ?? request.query.token;
    if (token === undefined || token === '') throw slackError('not_authed');
    if (token !== this.botToken) throw slackError('invalid_auth');
  }
}

/** Starts a local Slack Web API; close it with `close()`. */
export function startSlackServer(options: SlackServerOptions): Promise<SlackServer> {
  return SlackServer.start(options);
}
