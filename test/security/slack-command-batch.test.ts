import { expect, it } from 'vitest';
import { silentLogger } from '../../src/log/create-logger.js';
import { CommandJournal } from '../../src/slack/command-journal.js';
import type { SlackCommandRecord } from '../../src/store/repositories/slack-commands.js';
import { describeEachBackend } from '../support/backends.js';

/**
 * Slash commands are recorded many to an INSERT: one the database refuses (a NUL character
 * got past the front end) used to fail every other command of its batch.
 */
describeEachBackend('the Slack command journal', (database) => {
  const record = (triggerId: string, text: string): SlackCommandRecord => ({
    triggerId,
    teamId: 'T0AIDEV0001',
    channelId: 'C0AIDEV0001',
    userId: 'U0ALICE0001',
    text,
  });

  it('records the other commands of a batch when the database refuses one', async () => {
    const journal = new CommandJournal(database().store, silentLogger(), { windowMs: 20 });
    const outcomes = await Promise.allSettled([
      journal.record(record('trigger.1', 'status')),
      journal.record(record('trigger.2', 'config set model=\u0000')),
      journal.record(record('trigger.3', 'cancel R1')),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toMatchObject({ value: true });
    const left = await database().store.slackCommands.unhandled(new Date(Date.now() + 60_000));
    expect(left.map((c) => c.triggerId).sort()).toEqual(['trigger.1', 'trigger.3']);
  });
});
