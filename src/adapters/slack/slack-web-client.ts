import { ErrorCode, WebClient, type WebAPICallError } from '@slack/web-api';
import type { Block, View } from '../../../blocks/types.js';
import type { Logger } from '../../log/create-logger.js';
import type { ServiceGuard } from '../../resilience/service-guard.js';
import { networkVendorError, VendorError } from '../../resilience/vendor-error.js';
import type { PostedMessage, SlackWeb } from './slack-web.js';

/** Where the Web API is when no other address is set (its site, for the guard). */
export const SLACK_API_URL = 'https://slack.com/api/';

/**
 * The Slack Web API for aidev: @slack/web-api's client with its own retries off (the `slack`
 * guard retries, honouring Retry-After, so the two never multiply), rate-limited answers
 * thrown to the guard, and Slack's errors in our terms (`channel_not_found` is an answer,
 * a 5xx or a dropped connection is worth another try). The token never reaches a message.
 */
export function createSlackWeb(options: {
  token: string;
  apiUrl?: string | undefined;
  guard: ServiceGuard;
  logger: Logger;
}): SlackWeb & { readonly client: WebClient } {
  const client = new WebClient(options.token, {
    ...(options.apiUrl === undefined ? {} : { slackApiUrl: withSlash(options.apiUrl) }),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: quiet(options.logger),
  });
  const call = <T>(what: string, fn: () => Promise<T>): Promise<T> =>
    options.guard.call(what, async () => {
      try {
        return await fn();
      } catch (error) {
        throw slackCallError(what, error, options.token);
      }
    });
  const blocksOf = (blocks: readonly Block[] | undefined) =>
    blocks === undefined ? {} : { blocks: blocks as never[] };
  return {
    client,
    async postMessage(m): Promise<PostedMessage> {
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({
          channel: m.channel,
          text: m.text,
          ...blocksOf(m.blocks),
          ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
        }),
      );
      return { channel: result.channel ?? m.channel, ts: result.ts ?? '' };
    },
    async updateMessage(m) {
      await call('chat.update', () =>
        client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, ...blocksOf(m.blocks) }),
      );
    },
    async postEphemeral(m) {
      await call('chat.postEphemeral', () =>
        client.chat.postEphemeral({
          channel: m.channel,
          user: m.user,
          text: m.text,
          ...blocksOf(m.blocks),
          ...(m.threadTs === undefined ? {} : { thread_ts: m.threadTs }),
        }),
      );
    },
    async openView(triggerId: string, view: View) {
      await call('views.open', () =>
        client.views.open({ trigger_id: triggerId, view: view as never }),
      );
    },
    async publishHome(user: string, view: View) {
      await call('views.publish', () =>
        client.views.publish({ user_id: user, view: view as never }),
      );
    },
    async isAdmin(user: string) {
      const result = await call('users.info', () => client.users.info({ user }));
      return result.user?.is_admin === true || result.user?.is_owner === true;
    },
    async permalink(channel: string, ts: string) {
      const result = await call('chat.getPermalink', () =>
        client.chat.getPermalink({ channel, message_ts: ts }),
      );
      return result.permalink;
    },
  };
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);

/**
 * A failed Slack Web API call in our terms (a VendorError saying what Slack said, or that it
 * could not be reached), the token scrubbed; other errors as they are.
 */
export function slackCallError(what: string, error: unknown, token: string): unknown {
  const scrub = (text: string) => text.split(token).join('[REDACTED]');
  const e = error as WebAPICallError;
  switch (e.code) {
    case ErrorCode.PlatformError:
      return new VendorError(scrub(`Slack refused ${what}: ${e.data.error}`), {
        service: 'slack',
        code: e.data.error,
        retryable: e.data.error === 'internal_error' || e.data.error === 'fatal_error',
      });
    case ErrorCode.RateLimitedError:
      return new VendorError(`Slack rate-limited ${what}`, {
        service: 'slack',
        code: 'rate_limited',
        status: 429,
        retryable: true,
        retryAfterMs: e.retryAfter * 1000,
      });
    case ErrorCode.HTTPError:
      return new VendorError(`Slack answered ${e.statusCode} to ${what}`, {
        service: 'slack',
        code: e.statusCode >= 500 ? 'unavailable' : 'http_error',
        status: e.statusCode,
        retryable: e.statusCode >= 500,
      });
    case ErrorCode.RequestError:
      return networkVendorError('slack', error);
    default:
      return error;
  }
}

/** The SDK's log in ours, at debug: the guard and the notifier report every failed call. */
function quiet(logger: Logger) {
  const debug = (...messages: unknown[]) =>
    logger.debug({ service: 'slack' }, messages.map(String).join(' '));
  return {
    debug,
    info: debug,
    warn: debug,
    error: debug,
    setLevel: () => undefined,
    getLevel: () => 'debug' as never,
    setName: () => undefined,
  };
}
