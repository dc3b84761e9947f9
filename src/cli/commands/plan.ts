import type { Command } from 'commander';
import type { PlanOptions } from '../actions/plan.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerPlan(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('plan')
    .description('break requirements down into epics and tasks in the tracker, after approval')
    .argument('<requirements>', 'what to build, in plain words (quote it)')
    .requiredOption('--project <key>', 'the tracker project, e.g. PROJ')
    .option('-y, --yes', 'approve the breakdown without asking (it is still shown)')
    .option('--json', 'print events and the result as JSON lines')
    .action(async (requirements: string, options: PlanOptions, command: Command) => {
      const { runPlan } = await import('../actions/plan.js');
      done(
        await runPlan(io, requirements, {
          ...command.optsWithGlobals<GlobalOptions>(),
          ...options,
        }),
      );
    });
}
