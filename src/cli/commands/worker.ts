import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerWorker(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('worker')
    .description(
      'run background jobs until stopped (SIGINT or SIGTERM); start several for more throughput',
    )
    .action(async (_options: unknown, command: Command) => {
      const { runWorker } = await import('../actions/worker.js');
      done(await runWorker(io, command.optsWithGlobals<GlobalOptions>()));
    });
}
