import { z } from 'zod';
import { formatProblem, type Problem } from '../errors/problem.js';
import { parseWithProblems } from '../errors/zod-problems.js';

/**
 * A dollar amount up to `max`, with at most 4 decimals (what the budget columns keep). Bounded
 * so that no setting can overflow a budget and make every run of the channel fail.
 */
const dollars = (max: number) =>
  z.string().superRefine((amount, ctx) => {
    const problem = !/^\d{1,10}(\.\d{1,4})?$/.test(amount)
      ? 'expected a dollar amount such as 5 or 2.50'
      : Number(amount) > max
        ? `expected at most ${max} dollars`
        : undefined;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: amount });
  });

/** Most one run may be given, and most a channel may spend in a month. */
export const MAX_RUN_BUDGET_USD = 10_000;
export const MAX_MONTHLY_BUDGET_USD = 1_000_000;

export const NOTIFICATION_STYLES = ['thread', 'channel', 'quiet'] as const;

/** The team's instructions go into every agent request of the channel's runs: kept short. */
export const MAX_TEAM_INSTRUCTIONS = 4_000;

/**
 * A channel's team defaults: what `/aidev implement` uses when the command does not say, who
 * may approve, and what may be spent. Every key is optional; unknown keys are refused.
 */
export const channelSettingsSchema = z.strictObject({
  repository: z
    .string()
    .min(1)
    .describe('repository for this channel (owner/name on GitHub, or a local git repository)')
    .optional(),
  tracker_project: z
    .string()
    .regex(/^[A-Z][A-Z0-9]*$/, { error: 'expected a project key in capitals, such as PROJ' })
    .describe('tracker project key for new tasks and plans')
    .optional(),
  workflow: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a workflow name such as implement-task' })
    .describe('workflow that /aidev implement runs')
    .optional(),
  model: z
    .string()
    // A bare Claude id (Anthropic's, as before providers could be named), or provider:model.
    .regex(/^((anthropic:)?claude-[a-z0-9.-]+|openai:[A-Za-z0-9][A-Za-z0-9._:/-]{0,127})$/, {
      error:
        'expected a model such as claude-sonnet-5-5, anthropic:claude-opus-4-6 or openai:gpt-5',
    })
    .describe('model the agents use in this channel: a Claude id, or provider:model (openai:gpt-5)')
    .optional(),
  budget_per_run: dollars(MAX_RUN_BUDGET_USD)
    .describe('most one run may spend, in dollars')
    .optional(),
  budget_monthly: dollars(MAX_MONTHLY_BUDGET_USD)
    .describe('most the channel may spend in a calendar month')
    .optional(),
  approvers: z
    .array(
      z.string().regex(/^[UW][A-Z0-9]+$/, { error: 'expected Slack user ids such as U012ABCDEF' }),
    )
    .describe('who may approve plans and budgets (default: whoever started the run)')
    .optional(),
  docs_space: z.string().min(1).describe('documentation space for pages').optional(),
  notifications: z
    .enum(NOTIFICATION_STYLES, { error: `expected one of ${NOTIFICATION_STYLES.join(', ')}` })
    .describe('thread: progress in the run thread; channel: also milestones; quiet: only the end')
    .optional(),
  setup_command: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .describe(
      'what installs the tests’ dependencies before the agent starts, e.g. "npm ci" (in the sandbox, with network)',
    )
    .optional(),
  replan_on_reject: z
    .boolean({ error: 'expected true or false' })
    .describe('re-plan with the feedback when a plan is rejected')
    .optional(),
  instructions: z
    .string()
    .trim()
    .min(1)
    .max(MAX_TEAM_INSTRUCTIONS, {
      error: `expected at most ${MAX_TEAM_INSTRUCTIONS} characters of instructions`,
    })
    .describe(
      'the team’s instructions the agents follow in this channel’s runs, beside the repository’s AGENTS.md (e.g. "commit messages in English; never touch migrations/")',
    )
    .optional(),
});

export type ChannelSettings = z.output<typeof channelSettingsSchema>;
export type ChannelSettingKey = keyof ChannelSettings;
export const CHANNEL_SETTING_KEYS = Object.keys(channelSettingsSchema.shape) as ChannelSettingKey[];

/**
 * What each key means, for help texts and the API description. zod keeps a description on the
 * schema it was given to: `.describe()` before `.optional()` leaves it on the inner schema.
 */
export function settingDescription(key: ChannelSettingKey): string {
  const schema = channelSettingsSchema.shape[key];
  return schema.description ?? schema.unwrap().description ?? '';
}

export type SettingsOutcome =
  | { readonly ok: true; readonly settings: ChannelSettings }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** Checks a whole settings object (from the API, or read back from the store). */
export function checkSettings(input: unknown): SettingsOutcome {
  const parsed = parseWithProblems(channelSettingsSchema, input);
  return parsed.ok
    ? { ok: true, settings: parsed.value }
    : { ok: false, problems: parsed.problems };
}

/**
 * `key=value …` as typed in Slack (`/aidev config set budget_per_run=5 approvers=U1,U2`):
 * lists are comma-separated, booleans are true/false, `$` before amounts is allowed.
 */
export function parseAssignments(words: readonly string[]): {
  values: Record<string, unknown>;
  problems: Problem[];
} {
  const values: Record<string, unknown> = {};
  const problems: Problem[] = [];
  for (const word of words) {
    const at = word.indexOf('=');
    if (at <= 0) {
      problems.push({ path: word, message: 'expected key=value, such as budget_per_run=5' });
      continue;
    }
    const key = word.slice(0, at);
    const raw = word.slice(at + 1).trim();
    values[key] =
      key === 'approvers'
        ? raw
            .split(',')
            .map((id) => id.trim().replace(/^<@([A-Z0-9]+)(\|[^>]*)?>$/, '$1'))
            .filter((id) => id !== '')
        : key === 'replan_on_reject'
          ? raw === 'true'
            ? true
            : raw === 'false'
              ? false
              : raw
          : key.startsWith('budget_')
            ? raw.replace(/^\$/, '')
            : raw;
  }
  return { values, problems };
}

export function describeProblems(problems: readonly Problem[]): string {
  return problems.map(formatProblem).join('; ');
}
