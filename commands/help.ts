import { slackText } from '../blocks/slack-text.js';
import type { CommandContext } from './command-context.js';
import { USAGE } from './parse-command.js';

const WHAT: Readonly<Record<string, string>> = {
  implement: 'plan a tracker task, ask for approval, write the code, open the pull request',
  plan: 'break requirements down into epics and tasks in the tracker',
  status: 'the channel’s recent runs, or one run’s steps',
  cancel: 'stop a run (work so far is kept as a draft)',
  budget: 'this month’s spend against the channel’s budget',
  config: 'the channel’s defaults: repository, approvers, budgets, model…',
  help: 'this list',
};

export function helpText(problem?: { error: string; usage: string }): string {
  const lines = Object.entries(USAGE).map(
    // `<requirements…>` in a usage would be read as a Slack link: escaped like outside text.
    ([name, usage]) => `• \`${slackText(usage, 'keep')}\` — ${WHAT[name] ?? ''}`,
  );
  const head =
    problem === undefined
      ? '*aidev* turns tickets into reviewed pull requests.'
      : // The error quotes what was typed: outside text.
        `${slackText(problem.error, 'keep')}\nUsage: \`${slackText(problem.usage, 'keep')}\``;
  return [head, '', ...lines, '', 'You can also mention me: `@aidev implement PROJ-123`.'].join(
    '\n',
  );
}

export const help = (ctx: CommandContext): Promise<void> => ctx.ack({ text: helpText() });
