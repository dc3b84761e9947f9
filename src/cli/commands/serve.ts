import type { Command } from 'commander';
import type { ServeOptions } from '../actions/serve.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerServe(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('serve')
    .description('serve Slack, the REST API, health and metrics on PORT; runs a worker too')
    .option('--no-worker', 'only serve: leave the runs to `aidev worker` processes')
    .action(async (options: ServeOptions, command: Command) => {
      const { runServe } = await import('../actions/serve.js');
      done(await runServe(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
}
