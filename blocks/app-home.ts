import { context, divider, header, section } from './limits.js';
import { bar } from './budget-blocks.js';
import { channelLink, slackText } from './slack-text.js';
import type { Block, View } from './types.js';

export interface HomeRun {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly cost: string;
  readonly channel: string | null;
}

/** The App Home tab: the user's recent runs, and the budgets of their channels. */
export function appHome(home: {
  user: string;
  runs: readonly HomeRun[];
  budgets: readonly { channel: string; spent: string; limit: string; percent: number }[];
}): View {
  const blocks: Block[] = [header('Your recent runs')];
  if (home.runs.length === 0)
    blocks.push(section('No runs yet. In a channel, try `/aidev implement PROJ-123`.'));
  for (const run of home.runs.slice(0, 15))
    blocks.push(
      section(
        `*${slackText(run.title)}* — ${slackText(run.status)} · ${slackText(run.cost)}${run.channel === null ? '' : ` · ${channelLink(run.channel)}`}`,
      ),
    );
  blocks.push(divider(), header('Channel budgets this month'));
  if (home.budgets.length === 0)
    blocks.push(section('None of your channels has a monthly budget.'));
  for (const b of home.budgets.slice(0, 15))
    blocks.push(
      section(
        `${channelLink(b.channel)} — ${slackText(b.spent)} of ${slackText(b.limit)}\n\`${bar(b.percent)}\``,
      ),
    );
  blocks.push(context('`/aidev help` lists every command.'));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
