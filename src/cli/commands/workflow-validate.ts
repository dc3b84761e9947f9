import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../cli-io.js';

export function registerWorkflowValidate(
  workflow: Command,
  io: CliIo,
  done: (code: ExitCode) => void,
): void {
  workflow
    .command('validate')
    .description('check workflow files: structure, names, plugins, actions, agents and references')
    .argument('<files...>', 'workflow YAML files')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const { runWorkflowValidate } = await import('../actions/workflow-validate.js');
      done(await runWorkflowValidate(io, files, options.json === true));
    });
}
