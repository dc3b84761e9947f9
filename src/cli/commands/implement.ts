import type { Command } from 'commander';
import type { ImplementOptions } from '../actions/implement.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

export function registerImplement(
  program: Command,
  io: CliIo,
  done: (code: ExitCode) => void,
): void {
  program
    .command('implement')
    .description('implement a tracker task: plan, approval, code, tests, pull request, docs')
    .argument('<key>', 'the task key, e.g. PROJ-456')
    .requiredOption(
      '--repo <repository>',
      'owner/name on GitHub, or a repository of the local git backend',
    )
    .option('--workflow <name>', 'the workflow to run', 'implement-task')
    .option('-y, --yes', 'approve the plan without asking (it is still shown)')
    .option('--json', 'print events and the result as JSON lines')
    .option('--record <file>', 'record the model conversation into a transcript file')
    .addHelpText(
      'after',
      '\nThe run executes in this process (and in any running `aidev worker`); its progress is shown live.\nExit codes: 0 succeeded · 1 failed or cancelled · 3 waits for a decision · 130 interrupted.',
    )
    .action(async (key: string, options: ImplementOptions, command: Command) => {
      const { runImplement } = await import('../actions/implement.js');
      done(
        await runImplement(io, key, { ...command.optsWithGlobals<GlobalOptions>(), ...options }),
      );
    });
}
