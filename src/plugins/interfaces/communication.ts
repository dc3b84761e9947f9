import { z } from 'zod';
import { action } from '../action-signature.js';

const channel = z.string().min(1);

export const communicationActions = [
  action({
    plugin: 'communication',
    action: 'send_message',
    description: 'Post a message to a channel (or into a thread; an empty `thread` is none).',
    input: z.strictObject({ channel, message: z.string().min(1), thread: z.string().optional() }),
    output: z.object({ channel: z.string(), message_id: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'communication',
    action: 'update_message',
    description: 'Replace the text of a message posted earlier.',
    input: z.strictObject({ channel, message_id: z.string().min(1), message: z.string().min(1) }),
    output: z.object({ channel: z.string(), message_id: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'communication',
    action: 'reply_in_thread',
    description: 'Reply in the thread of a message.',
    input: z.strictObject({ channel, thread: z.string().min(1), message: z.string().min(1) }),
    output: z.object({ channel: z.string(), message_id: z.string() }),
    sideEffect: true,
  }),
] as const;
