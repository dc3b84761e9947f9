import type { Command } from 'commander';
import { cliUser, withApp } from '../app-session.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { followToEnd } from '../follow/follow-to-end.js';

interface PlanOptions extends GlobalOptions {
  readonly project: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

export function registerPlan(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  program
    .command('plan')
    .description('break requirements down into epics and tasks in the tracker, after approval')
    .argument('<requirements>', 'what to build, in plain words (quote it)')
    .requiredOption('--project <key>', 'the tracker project, e.g. PROJ')
    .option('-y, --yes', 'approve the breakdown without asking (it is still shown)')
    .option('--json', 'print events and the result as JSON lines')
    .action(async (requirements: string, options: PlanOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<GlobalOptions>(), ...options };
      done(
        await withApp(io, { ...all, worker: true }, 'plan', async (app) => {
          const { run } = await app.engine.startRun({
            workflow: 'plan-project',
            inputs: { requirements, project: options.project },
            trigger: 'cli',
            userId: cliUser(),
          });
          return (
            await followToEnd(app, io, run, { ...all, title: `aidev · plan · ${options.project}` })
          ).code;
        }),
      );
    });
}
