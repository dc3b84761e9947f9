import { z } from 'zod';
import type { Config } from './config.js';
import { settingsRegistry } from './settings-registry.js';
import { integer, text } from './values.js';

/** Defaults of what starts work besides a person: feedback on pull requests, tracker events. */
export const WORK_TRIGGER_DEFAULTS = {
  pullRequests: { maxFixRounds: 3, mentions: ['aidev'] },
  trackerTriggers: { label: 'aidev', mentions: ['aidev'] },
} as const;

/** `pull_requests:` in aidev.config.yaml: the pull-request loop (#18). */
export const pullRequestSettingsSchema = z
  .strictObject({
    max_fix_rounds: integer(0, 20)
      .optional()
      .register(settingsRegistry, {
        description:
          'Rounds of fixes aidev makes on one pull request it opened (for reviews, comments and failing checks) before it stops and asks a person in the thread and on the pull request. 0: aidev never acts on feedback.',
        default: String(WORK_TRIGGER_DEFAULTS.pullRequests.maxFixRounds),
      }),
    mentions: z
      .array(text(), { error: 'expected a list of names' })
      .optional()
      .register(settingsRegistry, {
        description:
          'Names that call aidev in a pull request comment, without the `@` (a GitHub App’s slug is added by itself). A review that requests changes needs no mention.',
        default: WORK_TRIGGER_DEFAULTS.pullRequests.mentions.join(', '),
      }),
    allowed_bots: z
      .array(text(), { error: 'expected a list of bot logins' })
      .optional()
      .register(settingsRegistry, {
        description:
          'Other bots whose comments aidev acts on (a CI bot’s `name[bot]`). Comments of every other bot, and aidev’s own, never start a round.',
        default: 'none',
      }),
  })
  .optional();

/** `tracker_triggers:` in aidev.config.yaml: work started from Jira and Linear (#19). */
export const trackerTriggerSettingsSchema = z
  .strictObject({
    label: text().optional().register(settingsRegistry, {
      description:
        'The label that asks aidev to implement a Jira or Linear issue (its webhook must reach /jira/webhooks or /linear/webhooks). Removing it cancels a run whose plan is not approved yet.',
      default: WORK_TRIGGER_DEFAULTS.trackerTriggers.label,
    }),
    bot_accounts: z
      .array(text(), { error: 'expected a list of account ids' })
      .optional()
      .register(settingsRegistry, {
        description:
          'More accounts that are aidev on the trackers (a Jira account id, a Linear user id), besides the one its credentials sign in as, which aidev asks the tracker for: assigning an issue to one starts work, and their comments never do.',
        default: 'none',
      }),
    followup_accounts: z
      .array(text(), { error: 'expected a list of account ids' })
      .optional()
      .register(settingsRegistry, {
        description:
          "Tracker accounts (Jira account ids or Data Center user names, Linear user ids) whose comments mentioning aidev start a round of changes on any run's pull request. Without them, only the person who started the run from the tracker may; others are told to ask in the run's Slack thread.",
        default: 'none',
      }),
    mentions: z
      .array(text(), { error: 'expected a list of names' })
      .optional()
      .register(settingsRegistry, {
        description:
          'Names that call aidev in a tracker comment, without the `@`: on an issue whose run is done, such a comment from someone allowed to (see followup_accounts) asks for changes on its pull request.',
        default: WORK_TRIGGER_DEFAULTS.trackerTriggers.mentions.join(', '),
      }),
  })
  .optional();

/** The pull-request loop's settings, over the defaults. */
export function pullRequestsOf(
  settings: z.output<typeof pullRequestSettingsSchema>,
): Config['pullRequests'] {
  return {
    maxFixRounds: settings?.max_fix_rounds ?? WORK_TRIGGER_DEFAULTS.pullRequests.maxFixRounds,
    mentions: settings?.mentions ?? WORK_TRIGGER_DEFAULTS.pullRequests.mentions,
    allowedBots: settings?.allowed_bots ?? [],
  };
}

/** The tracker triggers' settings, over the defaults. */
export function trackerTriggersOf(
  settings: z.output<typeof trackerTriggerSettingsSchema>,
): Config['trackerTriggers'] {
  return {
    label: settings?.label ?? WORK_TRIGGER_DEFAULTS.trackerTriggers.label,
    botAccounts: settings?.bot_accounts ?? [],
    followupAccounts: settings?.followup_accounts ?? [],
    mentions: settings?.mentions ?? WORK_TRIGGER_DEFAULTS.trackerTriggers.mentions,
  };
}
