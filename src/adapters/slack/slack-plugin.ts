import { z } from 'zod';
import { slackText } from '../../../blocks/slack-text.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { createSlackWeb, SLACK_API_URL, slackCallError } from './slack-web-client.js';

const configSchema = z.strictObject({
  token: z.string().min(8, { error: 'expected the bot token (SLACK_BOT_TOKEN)' }),
  api_url: z.string().url({ error: 'expected an http(s) URL' }).optional(),
});

/** Messages of workflow steps (`communication.send_message`) posted to Slack channels. */
export const slackChannel = definePlugin({
  type: 'communication',
  name: 'slack',
  description: 'Messages posted to Slack channels with the bot token',
  configSchema,
  secretFields: ['token'],
  create(config, context: PluginContext): Plugin<'communication'> {
    const web = createSlackWeb({
      token: config.token,
      apiUrl: config.api_url,
      guard: context.guards.for('slack', config.api_url ?? SLACK_API_URL),
      logger: context.logger.child({ plugin: 'slack' }),
    });
    const sent = (channel: string, ts: string) => ({ channel, message_id: ts });
    // A workflow's message carries outside text (task titles, model output): escaped so that
    // it can never ping (`<!channel>`) or dress a link, keeping its bold, code and lists.
    const text = (message: string) => slackText(message, 'keep');
    return {
      type: 'communication',
      name: 'slack',
      // Signs in once, without the guard's retries: when Slack cannot be reached the registry
      // tries again with its own backoff (and each step's call makes an attempt).
      async connect() {
        try {
          await web.client.auth.test();
        } catch (error) {
          throw slackCallError('auth.test', error, config.token);
        }
      },
      disconnect: () => Promise.resolve(),
      async health() {
        const result = await web.client.auth.test();
        return {
          ok: result.ok,
          detail: `signed in to ${result.team ?? 'a workspace'} as ${result.user ?? 'the bot'}`,
        };
      },
      actions: {
        async send_message(input) {
          const posted = await web.postMessage({
            channel: input.channel,
            text: text(input.message),
            // An empty thread is none: a workflow passes its `thread` input whether it is set or not.
            ...(input.thread === undefined || input.thread === ''
              ? {}
              : { threadTs: input.thread }),
          });
          return sent(posted.channel, posted.ts);
        },
        async update_message(input) {
          await web.updateMessage({
            channel: input.channel,
            ts: input.message_id,
            text: text(input.message),
          });
          return sent(input.channel, input.message_id);
        },
        async reply_in_thread(input) {
          const posted = await web.postMessage({
            channel: input.channel,
            text: text(input.message),
            threadTs: input.thread,
          });
          return sent(posted.channel, posted.ts);
        },
      },
    };
  },
});
