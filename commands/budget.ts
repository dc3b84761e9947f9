import { budgetReportMessage } from '../blocks/budget-blocks.js';
import { budgetReport } from '../src/costs/budget-report.js';
import { parseUsd, roundUsd } from '../src/costs/money.js';
import { channelSettings, type CommandContext } from './command-context.js';
import type { AidevCommand } from './parse-command.js';

const usd = (text: string) => roundUsd(parseUsd(text));

/** `/aidev budget [YYYY-MM]`: the channel's spend against its budget, who and what spent it. */
export async function budget(
  ctx: CommandContext,
  command: Extract<AidevCommand, { name: 'budget' }>,
): Promise<void> {
  const report = await budgetReport(ctx.app.store, {
    channelId: ctx.channelId,
    ...(command.month === undefined ? {} : { month: command.month }),
  });
  const settings = await channelSettings(ctx.app, ctx.channelId);
  const mine = report.budgets.find((b) => b.scope === 'channel');
  const message = budgetReportMessage({
    month: report.month,
    channelId: ctx.channelId,
    spent: usd(report.totalUsd),
    limit: mine === undefined ? undefined : usd(mine.limitUsd),
    percent: mine?.percent,
    forecast: report.forecastUsd === null ? undefined : usd(report.forecastUsd),
    perRun: settings.budget_per_run === undefined ? undefined : usd(settings.budget_per_run),
    topUsers: report.byUser.map((l) => ({ key: l.key ?? '—', usd: usd(l.usd), calls: l.calls })),
    topRuns: report.topRuns.map((l) => ({ key: l.key ?? '—', usd: usd(l.usd), calls: l.calls })),
    byModel: report.byModel.map((l) => ({ key: l.key ?? '—', usd: usd(l.usd), calls: l.calls })),
  });
  return ctx.ack(message);
}
