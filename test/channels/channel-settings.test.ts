import { beforeEach, expect, it } from 'vitest';
import {
  CHANNEL_SETTING_KEYS,
  settingDescription,
  checkSettings,
  describeProblems,
  parseAssignments,
} from '../../src/channels/channel-settings.js';
import { updateChannelSettings } from '../../src/channels/update-channel-settings.js';
import { describeEachBackend, resetTables } from '../support/backends.js';

it('reads Slack key=value assignments: lists, booleans, dollar amounts, user mentions', () => {
  expect(
    parseAssignments([
      'approvers=<@U0ALICE01|alice>,U0BOB0001',
      'replan_on_reject=false',
      'budget_per_run=$5',
    ]),
  ).toEqual({
    values: { approvers: ['U0ALICE01', 'U0BOB0001'], replan_on_reject: false, budget_per_run: '5' },
    problems: [],
  });
  expect(parseAssignments(['budget']).problems).toEqual([
    { path: 'budget', message: 'expected key=value, such as budget_per_run=5' },
  ]);
});

it('names the key and the allowed values of a bad setting', () => {
  const checked = checkSettings({ notifications: 'loud', budget_monthly: 'lots', colour: 'red' });
  expect(checked.ok).toBe(false);
  if (checked.ok) return;
  expect(describeProblems(checked.problems)).toBe(
    'budget_monthly: expected a dollar amount such as 5 or 2.50, found "lots"; notifications: expected one of thread, channel, quiet, found "loud"; colour: unknown key; allowed keys: repository, tracker_project, workflow, model, budget_per_run, budget_monthly, approvers, docs_space, notifications, setup_command, replan_on_reject, instructions',
  );
});

it('takes a model that names its provider, or a bare Claude id, and says what a model looks like', () => {
  for (const model of [
    'claude-sonnet-5-5',
    'anthropic:claude-opus-4-6',
    'openai:gpt-5',
    'openai:gpt-4.1-mini',
    'openai:llama3.1:8b',
    'openai:meta-llama/Llama-3.1-8B-Instruct',
  ])
    expect(checkSettings({ model }).ok, model).toBe(true);
  for (const model of ['gpt-5', 'anthropic:gpt-5', 'mistral:large', 'openai:', 'claude-Sonnet']) {
    const checked = checkSettings({ model });
    expect(checked.ok, model).toBe(false);
    if (!checked.ok)
      expect(describeProblems(checked.problems)).toBe(
        `model: expected a model such as claude-sonnet-5-5, anthropic:claude-opus-4-6 or openai:gpt-5, found ${JSON.stringify(model)}`,
      );
  }
});

describeEachBackend('changing a channel’s settings', (database) => {
  const resumed: string[][] = [];
  const deps = () => ({
    store: database().store,
    engine: {
      resumePausedBy: (scope: string, id: string) => (
        resumed.push([scope, id]),
        Promise.resolve([])
      ),
    },
  });
  beforeEach(async () => {
    await resetTables(database().db);
    resumed.length = 0;
  });

  it('keeps the monthly budget as the channel’s budget, audits before and after, and resumes paused runs when raised', async () => {
    expect(
      await updateChannelSettings(
        deps(),
        'C1',
        { set: { repository: 'acme/api', budget_monthly: '50' } },
        'slack:U1',
      ),
    ).toMatchObject({ ok: true });
    expect((await database().store.budgets.get('channel', 'C1'))?.limitUsd).toBe('50.0000000000');
    expect(resumed).toEqual([['channel', 'C1']]);
    await updateChannelSettings(deps(), 'C1', { unset: ['budget_monthly'] }, 'slack:U2');
    expect(await database().store.budgets.get('channel', 'C1')).toBeNull();
    const audit = await database().store.audit.list({ targetType: 'channel', targetId: 'C1' });
    expect(audit.map((a) => [a.actor, a.before, a.after])).toEqual([
      ['slack:U2', { repository: 'acme/api', budget_monthly: '50' }, { repository: 'acme/api' }],
      ['slack:U1', {}, { repository: 'acme/api', budget_monthly: '50' }],
    ]);
  });

  it('refuses an unknown key to unset and a bad value, changing nothing', async () => {
    const refused = await updateChannelSettings(
      deps(),
      'C1',
      { set: { model: 'gpt-9' }, unset: ['colour'] },
      'slack:U1',
    );
    expect(refused).toMatchObject({ ok: false });
    expect(await database().store.channels.get('C1')).toBeNull();
  });
});

it('explains every setting (what /aidev config shows beside each key)', () => {
  for (const key of CHANNEL_SETTING_KEYS) expect(settingDescription(key), key).toMatch(/^\S.{10,}/);
});
