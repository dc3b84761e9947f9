import { webApi } from '@slack/bolt';
import {
  DEFAULT_CHANNELS,
  DEFAULT_USERS,
  type SlackServer,
} from '../vendors/slack/slack-server.js';

export const BOT_TOKEN = 'xoxb-1234567890123-1234567890123-aidevTestBotToken0';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const ALICE = DEFAULT_USERS[0]?.id ?? '';
export const BOB = DEFAULT_USERS[1]?.id ?? '';
export const CHANNEL = DEFAULT_CHANNELS[0]?.id ?? '';

/** The SDK logs Slack's `[ERROR]` lines and warnings; the tests assert on errors instead. */
export const silentLogger: webApi.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => webApi.LogLevel.ERROR,
  setName: () => undefined,
};

/** No retries unless a test asks: the SDK retries every non-200 answer by default. */
export const NO_RETRIES: webApi.RetryOptions = { retries: 0 };

/** The real @slack/web-api client, pointed at the local server. */
export function webClient(
  server: SlackServer,
  options: Omit<webApi.WebClientOptions, 'slackApiUrl'> & { token?: string | undefined } = {},
): webApi.WebClient {
  const { token = BOT_TOKEN, ...rest } = options;
  return new webApi.WebClient(token, {
    slackApiUrl: server.apiUrl,
    logger: silentLogger,
    retryConfig: NO_RETRIES,
    ...rest,
  });
}
