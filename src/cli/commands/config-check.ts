import type { Command } from 'commander';
import type { ConfigCheckOptions } from '../actions/config-check.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerConfigCheck(
  config: Command,
  io: CliIo,
  done: (code: ExitCode) => void,
): void {
  config
    .command('check')
    .description('validate the configuration, connect to the database and report what is set up')
    .option('--migrate', 'apply pending schema migrations')
    .option('--json', 'print the result as JSON')
    .action(async (options: ConfigCheckOptions, command: Command) => {
      const { runConfigCheck } = await import('../actions/config-check.js');
      done(await runConfigCheck(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
}
