import { beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { callContext } from './call-context.js';

export interface CommunicationFixture {
  readonly plugin: Plugin<'communication'>;
  /** A channel the plugin may post in. */
  readonly channel: string;
  reset(): Promise<void>;
  /** What the channel shows now: each message's id, text and thread (edits applied). */
  messages(): Promise<{ id: string; text: string; thread: string | null }[]>;
}

/** What every communication plugin must do, whatever the people read it in. */
export function communicationContract(name: string, fixture: () => CommunicationFixture): void {
  describe(`communication contract: ${name}`, () => {
    beforeEach(async () => fixture().reset());
    const actions = () => fixture().plugin.actions;

    it('posts a message, edits it in place, and replies in its thread', async () => {
      const channel = fixture().channel;
      const posted = await actions().send_message(
        { channel, message: 'Planning PROJ-1…' },
        callContext(),
      );
      const edited = await actions().update_message(
        { channel, message_id: posted.message_id, message: 'Plan ready for PROJ-1' },
        callContext(),
      );
      expect(edited.message_id).toBe(posted.message_id);
      const reply = await actions().reply_in_thread(
        { channel, thread: posted.message_id, message: 'Step 1: add rounding' },
        callContext(),
      );
      expect(reply.message_id).not.toBe(posted.message_id);
      expect(await fixture().messages()).toEqual([
        { id: posted.message_id, text: 'Plan ready for PROJ-1', thread: null },
        { id: reply.message_id, text: 'Step 1: add rounding', thread: posted.message_id },
      ]);
    });
  });
}
