import type { Command } from 'commander';
import type { DemoOptions } from '../actions/demo.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerDemo(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('demo')
    .description('the whole flow on this machine with no accounts: a sample task to a pull request')
    .option('--json', 'print events and the result as JSON lines')
    .option(
      '--review',
      'then review the pull request: two line comments start a round of fixes, answered in their threads',
    )
    .action(async (options: DemoOptions, command: Command) => {
      const { runDemo } = await import('../actions/demo.js');
      done(await runDemo(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
}
