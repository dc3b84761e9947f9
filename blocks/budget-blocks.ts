import { context, fit, LIMITS, plain, section } from './limits.js';
import { channelLink, mention, mentions, slackText } from './slack-text.js';
import type { Block } from './types.js';

export const BUDGET_GRANT = 'aidev_budget_grant';
export const BUDGET_STOP = 'aidev_budget_stop';

/** A run paused at a budget: the figures, and Grant / Stop for approvers (grant: run budgets). */
export function budgetPauseMessage(pause: {
  runId: string;
  scope: string;
  message: string;
  grantUsd: string;
  approvers: readonly string[];
}): { text: string; blocks: Block[] } {
  const who = mentions(pause.approvers) || 'an approver';
  const buttons =
    pause.scope === 'run'
      ? [
          {
            type: 'button',
            action_id: BUDGET_GRANT,
            style: 'primary',
            value: `${pause.runId}:${pause.grantUsd}`,
            text: plain(`Grant $${pause.grantUsd}`, LIMITS.buttonText),
          },
          {
            type: 'button',
            action_id: BUDGET_STOP,
            style: 'danger',
            value: pause.runId,
            text: plain('Stop', LIMITS.buttonText),
          },
        ]
      : [
          {
            type: 'button',
            action_id: BUDGET_STOP,
            style: 'danger',
            value: pause.runId,
            text: plain('Stop', LIMITS.buttonText),
          },
        ];
  const next =
    pause.scope === 'run'
      ? `${who} may grant more or stop the run.`
      : `An admin can raise the monthly budget (\`/aidev config set budget_monthly=…\`): the run then goes on by itself. Or stop it.`;
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
