import type { Command } from 'commander';
import { RUN_STATUSES } from '../../store/repositories/runs.js';
import type { RunsOptions } from '../actions/runs.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerRuns(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('runs')
    .description('list recent runs, newest first')
    .option('--status <status>', `only runs in this status (${RUN_STATUSES.join(', ')})`)
    .option('--workflow <name>', 'only runs of this workflow')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print the runs as a JSON array')
    .action(async (options: RunsOptions, command: Command) => {
      if (
        options.status !== undefined &&
        !(RUN_STATUSES as readonly string[]).includes(options.status)
      ) {
        io.stderr.write(
          `aidev runs: --status: expected one of ${RUN_STATUSES.join(', ')}, found "${options.status}"\n`,
        );
        return done(EXIT.usage);
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        io.stderr.write(
          `aidev runs: --limit: expected a whole number from 1 to 500, found "${options.limit}"\n`,
        );
        return done(EXIT.usage);
      }
      const { runRuns } = await import('../actions/runs.js');
      done(await runRuns(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options, limit }));
    });

  program
    .command('run')
    .description('one run: its status, steps, events and cost')
    .argument('<id>', 'the run id (as aidev runs shows it)')
    .option('--json', 'print the run as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { runRun } = await import('../actions/runs.js');
      done(await runRun(io, id, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
}
