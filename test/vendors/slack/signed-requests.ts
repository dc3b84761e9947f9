import { createHmac } from 'node:crypto';
import type { ViewOutput } from '@slack/bolt';
import { buttonsOf, type Block } from './block-kit.js';
import { eventEnvelopeCheck, type EnvelopeCheck } from './event-envelope.js';
import type { ResponseUrlCatcher } from './response-url-catcher.js';
import { messageJson } from './slack-json.js';
import type { StoredView } from './slack-model.js';
import {
  appMentionEvent,
  buttonClickPayload,
  eventCallback,
  messageEvent,
  randomTriggerId,
  slashCommandPayload,
  viewSubmissionPayload,
  type PayloadContext,
  type PostedMessage,
} from './slack-payloads.js';
import type { SlackServer } from './slack-server.js';
import { DEFAULT_BOT, DEFAULT_TEAM } from './slack-workspace.js';

/** How a request is signed: Slack's way by default, or broken on purpose. */
export interface SignOptions {
  /** `x-slack-request-timestamp`, in seconds (default now); Bolt refuses one over 5 minutes old. */
  readonly timestamp?: number;
  /** `valid` (default), `forged` (signed with another secret) or `missing` (no header). */
  readonly signature?: 'valid' | 'forged' | 'missing';
  /** Slack's redelivery headers: `x-slack-retry-num` and `x-slack-retry-reason`. */
  readonly retry?: { readonly num: number; readonly reason: string };
}

/** A request exactly as Slack would send it to the app's request URL. */
export interface SlackRequest<P = unknown> {
  readonly payload: P;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface SlackRequestsOptions {
  /** The app's request URL, e.g. `http://127.0.0.1:3000/slack/events`. */
  readonly url: string;
  readonly signingSecret: string;
  /** The Slack test server the app calls: team, app and people come from it, and it issues trigger_ids. */
  readonly server?: SlackServer;
  /** Where response_urls point (default: a closed local port, so nothing leaves the machine). */
  readonly responseUrls?: ResponseUrlCatcher;
  /** The deprecated verification token Slack still puts in payloads. */
  readonly verificationToken?: string;
}

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Headers for a body as Slack sends it, signed (or not) as asked. */
export function signedHeaders(
  body: string,
  contentType: string,
  signingSecret: string,
  options: SignOptions = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secret = options.signature === 'forged' ? `${signingSecret}-forged` : signingSecret;
  return {
    'content-type': contentType,
    accept: 'application/json,*/*',
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'x-slack-request-timestamp': String(timestamp),
    ...(options.signature === 'missing'
      ? {}
      : { 'x-slack-signature': slackSignature(secret, timestamp, body) }),
    ...(options.retry === undefined
      ? {}
      : {
          'x-slack-retry-num': String(options.retry.num),
          'x-slack-retry-reason': options.retry.reason,
        }),
  };
}

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/**
 * Builds and sends the requests Slack makes to an app — slash commands, button clicks, modal
 * submissions and Events API events — signed with the app's signing secret.
 *
 * @example
 * const slack = await SlackRequests.create({ url: `${appUrl}/slack/events`, signingSecret, server });
 * const response = await slack.send(
 *   slack.slashCommand({ user: 'U0ALICE0001', channel: 'C0AIDEV0001', text: 'implement PROJ-1' }),
 * );
 * expect(response.status).toBe(200);
 */
export class SlackRequests {
  readonly app: PayloadContext;

  private constructor(
    private readonly options: SlackRequestsOptions,
    private readonly checkEnvelope: EnvelopeCheck,
  ) {
    const server = options.server;
    this.app = {
      team: server?.team ?? DEFAULT_TEAM,
      appId: server?.bot.appId ?? DEFAULT_BOT.appId,
      botUserId: server?.bot.userId ?? DEFAULT_BOT.userId,
      verificationToken: options.verificationToken ?? 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
    };
  }

  static async create(options: SlackRequestsOptions): Promise<SlackRequests> {
    return new SlackRequests(options, await eventEnvelopeCheck());
  }

  /** `/aidev <text>` typed by a user in a channel. */
  slashCommand(
    input: { user: string; channel: string; text: string; command?: string },
    sign?: SignOptions,
  ) {
    const payload = slashCommandPayload(this.app, {
      user: this.person(input.user),
      channel: this.conversation(input.channel),
      command: input.command ?? '/aidev',
      text: input.text,
      triggerId: this.trigger(input.user),
      responseUrl: this.responseUrl('commands'),
    });
    return this.form(new URLSearchParams(Object.entries(payload)).toString(), payload, sign);
  }

  /**
   * A click on the button `actionId` of a message (one from the server's model: a channel
   * message or an ephemeral one); throws if the message has no such button.
   */
  buttonClick(
    input: {
      user: string;
      message: { channel: string; ts: string; blocks: readonly Block[] };
      actionId: string;
    },
    sign?: SignOptions,
  ) {
    const { message } = input;
    const button = buttonsOf(message.blocks).find((b) => b.actionId === input.actionId);
    if (button === undefined)
      throw new Error(`the message ${message.ts} has no button with action_id ${input.actionId}`);
    const server = this.options.server;
    const channel = server?.conversations.get(message.channel);
    const stored = channel?.byTs.get(message.ts);
    const payload = buttonClickPayload(this.app, {
      user: this.person(input.user),
      channel: this.conversation(message.channel),
      messageTs: message.ts,
      // Slack sends the message back, except an ephemeral one.
      message:
        channel !== undefined && stored !== undefined && server !== undefined
          ? messageJson(stored, channel, { bot: server.bot, team: server.team })
          : server?.ephemerals.some((e) => e.ts === message.ts) === true
            ? undefined
            : { type: 'message', ts: message.ts, blocks: message.blocks },
      button,
      triggerId: this.trigger(input.user),
      responseUrl: this.responseUrl('actions'),
    });
    return this.form(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      payload,
      sign,
    );
  }

  /** The submission of a modal the app opened, with what the user entered. */
  viewSubmission(
    input: { view: StoredView; values: ViewOutput['state']['values']; user?: string },
    sign?: SignOptions,
  ) {
    const user = input.user ?? input.view.user;
    const payload = viewSubmissionPayload(this.app, {
      user: this.person(user),
      view: input.view.payload,
      values: input.values,
      triggerId: this.trigger(user),
    });
    return this.form(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      payload,
      sign,
    );
  }

  /** An `app_mention` event for a message (e.g. one from `server.givenMessage`). */
  appMention(message: PostedMessage, sign?: SignOptions) {
    return this.event(appMentionEvent(this.app, message), sign);
  }

  /** A `message` event, e.g. a reply someone posted in a thread of the app's. */
  message(message: PostedMessage, sign?: SignOptions) {
    const parent =
      message.threadTs === undefined
        ? undefined
        : this.options.server?.message(message.channel, message.threadTs);
    return this.event(
      messageEvent(this.app, { ...message, ...(parent ? { parentUser: parent.user } : {}) }),
      sign,
    );
  }

  /** Any event in the Events API envelope; throws if the envelope breaks Slack's schema. */
  event<E extends { type: string; event_ts: string }>(event: E, sign?: SignOptions) {
    const payload = eventCallback(this.app, event);
    const problems = this.checkEnvelope(payload);
    if (problems.length > 0)
      throw new Error(`the event envelope breaks Slack's schema: ${problems.join('; ')}`);
    return this.raw(JSON.stringify(payload), JSON_TYPE, payload, sign);
  }

  /** Any body, signed as asked (for malformed and hostile requests). */
  raw<P>(body: string, contentType: string, payload: P, sign?: SignOptions): SlackRequest<P> {
    return {
      payload,
      body,
      headers: signedHeaders(body, contentType, this.options.signingSecret, sign),
    };
  }

  /** Posts a request to the app's request URL. */
  send(request: SlackRequest): Promise<Response> {
    return fetch(this.options.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
  }

  private form<P>(body: string, payload: P, sign: SignOptions | undefined): SlackRequest<P> {
    return this.raw(body, FORM, payload, sign);
  }

  private person(id: string) {
    return { id, name: this.options.server?.users.get(id)?.name ?? id.toLowerCase() };
  }

  private conversation(id: string) {
    const channel = this.options.server?.conversations.get(id);
    return { id, name: channel === undefined ? id : channel.isIm ? 'directmessage' : channel.name };
  }

  private trigger(user: string): string {
    return this.options.server?.issueTrigger(user) ?? randomTriggerId();
  }

  private responseUrl(kind: 'commands' | 'actions'): string {
    const catcher = this.options.responseUrls;
    if (catcher !== undefined) return catcher.newUrl(kind, this.app.team.id);
    // Port 1 on the loopback refuses connections: a forgotten catcher fails fast and locally.
    return `http://127.0.0.1:1/${kind}/${this.app.team.id}/0/unused`;
  }
}
