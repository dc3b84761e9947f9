import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

/** `aidev approve|reject|cancel ID`: decisions on a run, from the command line. */
export function registerDecisions(
  program: Command,
  io: CliIo,
  done: (code: ExitCode) => void,
): void {
  const decide =
    (approve: boolean) =>
    async (id: string, options: { feedback?: string; step?: string }, command: Command) => {
      const actions = await import('../actions/decisions.js');
      done(
        await actions.decide(io, id, approve, {
          ...command.optsWithGlobals<GlobalOptions>(),
          ...options,
        }),
      );
    };
  program
    .command('approve')
    .description('approve the plan (or other gate) a run waits at')
    .argument('<id>', 'the run id')
    .option('--step <name>', 'the gate to decide, if the run has several')
    .action(decide(true));
  program
    .command('reject')
    .description('reject the plan (or other gate) a run waits at')
    .argument('<id>', 'the run id')
    .option('--feedback <text>', 'why, and what to change (a workflow may re-plan with it)')
    .option('--step <name>', 'the gate to decide, if the run has several')
    .action(decide(false));
  program
    .command('cancel')
    .description('stop a run; its on_failure steps keep work done so far')
    .argument('<id>', 'the run id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { cancel } = await import('../actions/decisions.js');
      done(await cancel(io, id, command.optsWithGlobals<GlobalOptions>()));
    });
}
