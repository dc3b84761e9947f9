import type { Command } from 'commander';
import { cliUser, withApp } from '../app-session.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { followToEnd } from '../follow/follow-to-end.js';

interface ImplementOptions extends GlobalOptions {
  readonly repo: string;
  readonly workflow: string;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly record?: string;
}

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
      done(
        await runImplement(io, key, { ...command.optsWithGlobals<GlobalOptions>(), ...options }),
      );
    });
}

export function runImplement(io: CliIo, key: string, options: ImplementOptions): Promise<ExitCode> {
  return withApp(io, { ...options, worker: true }, 'implement', async (app) => {
    const { run } = await app.engine.startRun({
      workflow: options.workflow,
      inputs: { task_key: key, repository: options.repo },
      trigger: 'cli',
      userId: cliUser(),
      taskKey: key,
    });
    if (options.json !== true)
      io.stdout.write(`${key}: run ${run.id} · AI: ${app.ai.provider.description}\n`);
    return (
      await followToEnd(app, io, run, { ...options, title: `aidev · ${options.workflow} · ${key}` })
    ).code;
  });
}
