import { capBlocks, context, fit, section } from './limits.js';
import { link, slackText } from './slack-text.js';
import type { Block } from './types.js';

export interface RunStepLine {
  readonly name: string;
  readonly status: string;
  readonly durationMs?: number | undefined;
}

/** The rounds of fixes on the run's pull request (#18): `Rounds: 2 of 3 · last: pushed abc1234`. */
export interface RoundsLine {
  readonly count: number;
  readonly max: number;
  /** What the last round did, or that it is under way. */
  readonly last: string;
}

/** Every text field but `runId`, `costUsd` and `prUrl` (a link aidev makes) is outside text. */
export interface RunMessage {
  readonly runId: string;
  readonly title: string;
  readonly status: string;
  readonly waitingFor?: string | null;
  readonly steps: readonly RunStepLine[];
  readonly costUsd: string;
  readonly prUrl?: string | undefined;
  readonly error?: string | undefined;
  /** Rounds of fixes after the pull request opened; `costUsd` then includes them. */
  readonly rounds?: RoundsLine | undefined;
}

const MARKS: Readonly<Record<string, string>> = {
  succeeded: ':white_check_mark:',
  failed: ':x:',
  running: ':hourglass_flowing_sand:',
  waiting: ':raised_hand:',
  skipped: ':fast_forward:',
  cancelled: ':no_entry_sign:',
  rolled_back: ':leftwards_arrow_with_hook:',
  pending: ':white_circle:',
};

const STATUS: Readonly<Record<string, string>> = {
  queued: 'queued',
  running: 'working',
  waiting: 'waiting',
  succeeded: 'ready for review',
  failed: 'failed',
  cancelled: 'cancelled',
};

function seconds(ms: number | undefined): string {
  return ms === undefined
    ? ''
    : ` _${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s_`;
}

/**
 * The one message a run has in its channel, updated in place: what it works on, where it is
 * (a checklist of steps), and at the end the pull request and what it cost.
 */
export function runMessage(run: RunMessage): { text: string; blocks: Block[] } {
  const status =
    run.status === 'waiting'
      ? run.waitingFor === 'budget'
        ? 'paused at its budget'
        : 'waiting for plan approval'
      : (STATUS[run.status] ?? slackText(run.status));
  const checklist = run.steps
    .map(
      (s) => `${MARKS[s.status] ?? ':white_circle:'} ${slackText(s.name)}${seconds(s.durationMs)}`,
    )
    .join('\n');
  const title = slackText(run.title);
  const blocks: Block[] = [
    section(`*${fit(title, 200)}* — ${status}`),
    ...(checklist === '' ? [] : [section(checklist)]),
  ];
  if (run.prUrl !== undefined) blocks.push(section(`:link: ${link(run.prUrl, 'Pull request')}`));
  if (run.rounds !== undefined)
    blocks.push(
      section(
        `:arrows_counterclockwise: Rounds: ${run.rounds.count} of ${run.rounds.max} · last: ${fit(slackText(run.rounds.last), 200)}`,
      ),
    );
  if (run.error !== undefined)
    blocks.push(section(`:warning: ${fit(slackText(run.error, 'keep'), 2_500)}`));
  blocks.push(
    context(
      `Cost so far${run.rounds === undefined ? '' : ', rounds included'}: *${run.costUsd}*`,
      `Run \`${run.runId}\` · details in the thread`,
    ),
  );
  return { text: `${title}: ${status}`, blocks: capBlocks(blocks, `aidev run ${run.runId}`) };
}
