import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';

const configSchema = z.strictObject({});

/**
 * The communication plugin with no outside service: each message is a log line of the
 * process running the step (`#channel message`), edits and thread replies included.
 */
export const consoleChannel = definePlugin({
  type: 'communication',
  name: 'console',
  description: 'Messages written to the log of the process that runs the step',
  configSchema,
  create(_config, context: PluginContext): Plugin<'communication'> {
    const log = context.logger.child({ plugin: 'console' });
    const say = (channel: string, text: string, extra: Record<string, string>) => {
      const id = extra.message_id ?? randomUUID();
      log.info({ channel, ...extra, message_id: id }, `#${channel} ${text}`);
      return { channel, message_id: id };
    };
    return {
      type: 'communication',
      name: 'console',
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      health: () => Promise.resolve({ ok: true, detail: 'messages go to the log' }),
      actions: {
        send_message: (input) =>
          Promise.resolve(
            say(
              input.channel,
              input.message,
              input.thread === undefined || input.thread === '' ? {} : { thread: input.thread },
            ),
          ),
        update_message: (input) =>
          Promise.resolve(
            say(input.channel, input.message, { message_id: input.message_id, edit: 'true' }),
          ),
        reply_in_thread: (input) =>
          Promise.resolve(say(input.channel, input.message, { thread: input.thread })),
      },
    };
  },
});
