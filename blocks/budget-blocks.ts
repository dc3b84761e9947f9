import { context, fit, LIMITS, plain, section } from './limits.js';
import { channelLink, mention, mentions, slackText } from './slack-text.js';
import type { Block } from './types.js';

export const BUDGET_GRANT = 'aidev_budget_grant';
export const BUDGET_RAISE = 'aidev_budget_raise';
export const BUDGET_STOP = 'aidev_budget_stop';

/** Who may give money past each monthly budget (as authorizeRun's `fund` decides). */
const OWNERS = {
  channel: 'the channel’s approvers or a workspace admin',
  user: 'a workspace admin',
  global: 'a workspace admin',
} as const;

const BUDGET_NAMES = {
  channel: 'the channel’s monthly budget',
  user: 'the user’s monthly budget',
  global: 'the monthly budget of this installation',
} as const;

/**
 * A run paused at a budget: the figures, and what may be done about it, for every budget (issue
 * 16). At the run's own budget: Grant $N (its budget goes up) and Stop. At a monthly one: Grant
 * $N to this run alone, Raise the budget by $M for every run it paused, and Stop. Who may click
 * what is authorizeRun's call when the click comes.
 */
export function budgetPauseMessage(pause: {
  runId: string;
  scope: string;
  message: string;
  grantUsd: string;
  /** What Raise adds to a monthly budget. */
  raiseUsd?: string;
  approvers: readonly string[];
}): { text: string; blocks: Block[] } {
  const who = mentions(pause.approvers) || 'an approver';
  const button = (actionId: string, value: string, label: string, style?: string) => ({
    type: 'button',
    action_id: actionId,
    ...(style === undefined ? {} : { style }),
    value,
    text: plain(label, LIMITS.buttonText),
  });
  const stop = button(BUDGET_STOP, pause.runId, 'Stop', 'danger');
  const monthly = pause.scope === 'run' ? undefined : monthlyScope(pause.scope);
  const buttons =
    monthly === undefined
      ? [
          button(
            BUDGET_GRANT,
            `${pause.runId}:${pause.grantUsd}`,
            `Grant $${pause.grantUsd}`,
            'primary',
          ),
          stop,
        ]
      : [
          button(
            BUDGET_GRANT,
            `${pause.runId}:${pause.grantUsd}`,
            `Grant this run $${pause.grantUsd}`,
            'primary',
          ),
          button(
            BUDGET_RAISE,
            `${pause.runId}:${pause.raiseUsd ?? pause.grantUsd}`,
            `Raise the budget $${pause.raiseUsd ?? pause.grantUsd}`,
          ),
          stop,
        ];
  const next =
    monthly === undefined
      ? `${who} may grant more or stop the run.`
      : `${who} may stop the run. ${capitalize(OWNERS[monthly])} may let this run alone spend more (Grant) or raise ${BUDGET_NAMES[monthly]} for every run it paused (Raise). If calls under way hold the budget, the run goes on by itself when they finish.`;
  const message = slackText(pause.message, 'keep');
  return {
    text: `The run paused before spending: ${message}`,
    blocks: [
      section(`:moneybag: *Paused before spending.* ${fit(message, 2_000)}`),
      context('Nothing is spent while the run waits.', next),
      { type: 'actions', block_id: 'budget_decision', elements: buttons },
    ],
  };
}

function monthlyScope(scope: string): 'channel' | 'user' | 'global' {
  return scope === 'channel' || scope === 'user' ? scope : 'global';
}

const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

export interface BudgetReportView {
  readonly month: string;
  /** The channel's id, shown as a link to it. */
  readonly channelId: string;
  readonly spent: string;
  readonly limit?: string | undefined;
  readonly percent?: number | undefined;
  readonly forecast?: string | undefined;
  readonly perRun?: string | undefined;
  readonly topUsers: readonly { key: string; usd: string; calls: number }[];
  readonly topRuns: readonly { key: string; usd: string; calls: number }[];
  readonly byModel: readonly { key: string; usd: string; calls: number }[];
}

/** A text bar: `███████░░░ 72 %`. */
export function bar(percent: number, width = 10): string {
  const filled = Math.min(width, Math.round((Math.min(percent, 100) / 100) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${percent} %`;
}

/** `/aidev budget`: the channel's month against its budget, who and what spent it, and where it is heading. */
export function budgetReportMessage(report: BudgetReportView): { text: string; blocks: Block[] } {
  const channel = channelLink(report.channelId);
  const limitLine =
    report.limit === undefined
      ? `*${report.spent}* spent in ${report.month} — no monthly budget (\`/aidev config set budget_monthly=…\`)`
      : `*${report.spent}* of *${report.limit}* in ${report.month}\n\`${bar(report.percent ?? 0)}\``;
  const list = (
    title: string,
    rows: BudgetReportView['topUsers'],
    label: (key: string) => string,
  ) =>
    rows.length === 0
      ? []
      : [
          section(
            `*${title}*\n${rows.map((r) => `${label(r.key)} — ${slackText(r.usd)} (${r.calls} call${r.calls === 1 ? '' : 's'})`).join('\n')}`,
          ),
        ];
  return {
    text: `${channel} spent ${slackText(report.spent)} in ${slackText(report.month)}`,
    blocks: [
      section(`:bar_chart: *Budget of ${channel}*\n${limitLine}`),
      ...list('Top users', report.topUsers, mention),
      ...list('Top runs', report.topRuns, (k) => `\`${slackText(k)}\``),
      ...list('By model', report.byModel, (k) => slackText(k)),
      context(
        report.forecast === undefined
          ? 'Past month.'
          : `At this pace: about *${report.forecast}* by the end of the month.`,
        report.perRun === undefined ? 'No per-run budget.' : `Per run: ${report.perRun}.`,
      ),
    ],
  };
}

/** A 50/80/100 % alert, told once per budget, month and threshold. */
export function budgetAlertMessage(alert: { threshold: number; message: string }): {
  text: string;
  blocks: Block[];
} {
  const icon = alert.threshold >= 100 ? ':rotating_light:' : ':warning:';
  const message = slackText(alert.message, 'keep');
  return { text: message, blocks: [section(`${icon} ${fit(message, 2_000)}`)] };
}
