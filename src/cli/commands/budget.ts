import type { Command } from 'commander';
import type { BudgetScope } from '../../store/repositories/budgets.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

const AMOUNT = /^\$?\d+(\.\d{1,4})?$/;
/** The monthly budgets a person sets (a run's own cap comes from the channel's settings). */
const MONTHLY_SCOPES: readonly BudgetScope[] = ['global', 'channel', 'user'];

export function registerBudget(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const budget = program
    .command('budget')
    .description('the month’s spend against its budgets; set budgets; decide budget pauses')
    .option('--month <YYYY-MM>', 'the month to report (default: this one)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { month?: string; json?: boolean }, command: Command) => {
      const { budgetShow } = await import('../actions/budget.js');
      done(await budgetShow(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });

  budget
    .command('set')
    .description(
      'set a monthly budget: global AMOUNT, channel ID AMOUNT or user ID AMOUNT (runs it paused go on)',
    )
    .argument('<scope>', 'global, channel or user')
    .argument('<id-or-amount>', 'the channel or user id (for global: the amount)')
    .argument('[amount]', 'dollars a month, e.g. 250')
    .action(
      async (
        scope: string,
        first: string,
        second: string | undefined,
        _o: unknown,
        command: Command,
      ) => {
        const id = scope === 'global' ? '*' : first;
        const amount = (scope === 'global' ? first : second)?.replace(/^\$/, '');
        const known = MONTHLY_SCOPES.find((s) => s === scope);
        if (known === undefined || amount === undefined || !AMOUNT.test(amount)) {
          io.stderr.write(
            'aidev budget set: expected `global AMOUNT`, `channel ID AMOUNT` or `user ID AMOUNT`, with AMOUNT in dollars such as 250\n',
          );
          return done(EXIT.usage);
        }
        const { budgetSet } = await import('../actions/budget.js');
        done(await budgetSet(io, known, id, amount, command.optsWithGlobals<GlobalOptions>()));
      },
    );

  budget
    .command('grant')
    .description(
      'let a run paused at a budget go on, spending AMOUNT dollars more (past a monthly budget: this run only)',
    )
    .argument('<run>', 'the run id')
    .argument('<amount>', 'dollars, e.g. 2.50')
    .action(async (runId: string, amount: string, _o: unknown, command: Command) => {
      const { decidePause } = await import('../actions/budget.js');
      done(
        await decidePause(io, command.optsWithGlobals<GlobalOptions>(), runId, {
          action: 'grant',
          amountUsd: amount.replace(/^\$/, ''),
        }),
      );
    });

  budget
    .command('raise')
    .description(
      'raise the budget that paused a run by AMOUNT dollars; every run it paused goes on',
    )
    .argument('<run>', 'the run id')
    .argument('<amount>', 'dollars, e.g. 50')
    .action(async (runId: string, amount: string, _o: unknown, command: Command) => {
      const { decidePause } = await import('../actions/budget.js');
      done(
        await decidePause(io, command.optsWithGlobals<GlobalOptions>(), runId, {
          action: 'raise',
          amountUsd: amount.replace(/^\$/, ''),
        }),
      );
    });

  budget
    .command('stop')
    .description('stop a run paused at a budget (it spends nothing more)')
    .argument('<run>', 'the run id')
    .action(async (runId: string, _o: unknown, command: Command) => {
      const { decidePause } = await import('../actions/budget.js');
      done(
        await decidePause(io, command.optsWithGlobals<GlobalOptions>(), runId, { action: 'stop' }),
      );
    });
}
