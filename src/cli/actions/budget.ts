import { budgetBar, budgetReport, type BudgetReport } from '../../costs/budget-report.js';
import { roundUsd, parseUsd } from '../../costs/money.js';
import type { BudgetScope } from '../../store/repositories/budgets.js';
import { monthOf } from '../../store/month.js';
import { cliUser, withApp, withStore } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

const usd = (text: string) => roundUsd(parseUsd(text));

/** `aidev budget`: the month's spend against its budgets. */
export function budgetShow(
  io: CliIo,
  options: GlobalOptions & { month?: string; json?: boolean },
): Promise<ExitCode> {
  return withStore(io, options, 'budget', async (store) => {
    const report = await budgetReport(store, { month: options.month ?? monthOf(new Date()) });
    io.stdout.write(
      options.json === true ? `${JSON.stringify(report, null, 2)}\n` : render(report),
    );
    return EXIT.ok;
  });
}

/** `aidev budget set`, with the arguments already checked; runs it paused go on. */
export function budgetSet(
  io: CliIo,
  scope: BudgetScope,
  id: string,
  amount: string,
  options: GlobalOptions,
): Promise<ExitCode> {
  return withApp(io, options, 'budget set', async (app) => {
    const before = await app.store.budgets.get(scope, id);
    const after = await app.store.budgets.set({
      scope: scope,
      scopeId: id,
      limitUsd: amount,
      updatedBy: cliUser(),
    });
    await app.store.audit.append({
      actor: cliUser(),
      action: 'budget.set',
      targetType: `budget:${scope}`,
      targetId: id,
      before: before === null ? null : { limit_usd: before.limitUsd },
      after: { limit_usd: after.limitUsd },
    });
    const resumed = await app.engine.resumePausedBy(scope, id, cliUser());
    io.stdout.write(
      `${scope === 'global' ? 'the global' : `${scope} ${id}'s`} monthly budget is now ${usd(after.limitUsd)}${resumed.length > 0 ? `; ${resumed.length} paused run${resumed.length === 1 ? '' : 's'} go on` : ''}\n`,
    );
    return EXIT.ok;
  });
}

/** `aidev budget grant|raise|stop RUN`: decides a budget pause as an admin would. */
export function decidePause(
  io: CliIo,
  options: GlobalOptions,
  runId: string,
  decision: { action: 'grant' | 'raise'; amountUsd: string } | { action: 'stop' },
): Promise<ExitCode> {
  return withApp(io, options, `budget ${decision.action}`, async (app) => {
    const outcome = await app.engine.decidePause(runId, {
      ...decision,
      by: cliUser(),
      override: true,
    });
    switch (outcome.outcome) {
      case 'resumed':
        io.stdout.write(
          `the run goes on${outcome.allowedUsd !== undefined ? `, allowed to have spent ${usd(outcome.allowedUsd)} in all` : outcome.limitUsd === undefined ? '' : ` with a budget of ${usd(outcome.limitUsd)}`}.\n`,
        );
        return EXIT.ok;
      case 'stopped':
        io.stdout.write('the run stops; it spends nothing more.\n');
        return EXIT.ok;
      case 'invalid':
        io.stderr.write(`${outcome.message}\n`);
        return EXIT.failed;
      case 'cannot_continue':
        io.stderr.write(`not taken: ${outcome.reason}; nothing changed.\n`);
        return EXIT.failed;
      case 'not_paused':
        io.stderr.write('the run is not paused at a budget; nothing changed.\n');
        return EXIT.failed;
      case 'not_found':
        io.stderr.write(`there is no run ${JSON.stringify(runId)} (aidev runs lists them)\n`);
        return EXIT.failed;
      case 'not_allowed':
        return EXIT.failed;
    }
  });
}

function render(report: BudgetReport): string {
  const lines = [
    `Spend in ${report.month}: ${usd(report.totalUsd)}${report.forecastUsd === null ? '' : ` (about ${usd(report.forecastUsd)} by the end of the month at this pace)`}`,
  ];
  if (report.budgets.length > 0) {
    lines.push('', 'Budgets');
    for (const b of report.budgets)
      lines.push(
        `  ${(b.scope === 'global' ? 'global' : `${b.scope} ${b.scopeId}`).padEnd(24)} ${budgetBar(b.percent)}  ${usd(b.spentUsd)} of ${usd(b.limitUsd)}`,
      );
  }
  const section = (title: string, rows: BudgetReport['byModel']) => {
    if (rows.length === 0) return;
    lines.push('', title);
    for (const r of rows)
      lines.push(
        `  ${(r.key ?? '(none)').padEnd(38)} ${usd(r.usd).padStart(9)}  ${r.calls} call${r.calls === 1 ? '' : 's'}`,
      );
  };
  section('By channel', report.byChannel);
  section('By user', report.byUser);
  section('By model', report.byModel);
  section('Top runs', report.topRuns);
  return `${lines.join('\n')}\n`;
}
