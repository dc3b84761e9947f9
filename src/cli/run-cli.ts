import { Command, CommanderError } from 'commander';
import { EXIT, type CliIo, type ExitCode } from './cli-io.js';
import { registerConfigCheck } from './commands/config-check.js';
import { registerBudget } from './commands/budget.js';
import { registerDecisions } from './commands/decisions.js';
import { registerDemo } from './commands/demo.js';
import { registerImplement } from './commands/implement.js';
import { registerPlan } from './commands/plan.js';
import { registerPullRequests } from './commands/pull-requests.js';
import { registerRuns } from './commands/runs.js';
import { registerServe } from './commands/serve.js';
import { registerKeys } from './commands/keys.js';
import { registerToken } from './commands/token.js';
import { registerWorker } from './commands/worker.js';
import { registerWorkflowValidate } from './commands/workflow-validate.js';
import { AIDEV_VERSION } from '../version.js';

/**
 * Parses `argv` and runs one command. Only the command definitions are loaded up front: each
 * command imports what it does (src/cli/actions/) when it runs, so `aidev --help` or
 * `aidev runs` never loads the Slack, GitHub, Jira, Confluence or Anthropic SDKs. Returns the
 * exit code instead of exiting, so that tests run the real CLI in-process; only src/bin owns
 * the process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const done = (code: ExitCode) => {
    exitCode = code;
  };
  const program = new Command('aidev')
    .description('Turn tickets into reviewed pull requests: Slack-first AI development automation.')
    .version(AIDEV_VERSION, '-v, --version')
    .option('--config <file>', 'settings file (default: aidev.config.yaml, or AIDEV_CONFIG)')
    .showHelpAfterError('(run aidev --help for usage)')
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .exitOverride();

  const config = program.command('config').description('inspect and check the configuration');
  registerConfigCheck(config, io, done);
  config
    .command('reference')
    .description('print the reference of every environment variable and setting (Markdown)')
    .action(async () => {
      const { renderConfigReference } = await import('../config/config-reference.js');
      io.stdout.write(renderConfigReference());
    });
  registerServe(program, io, done);
  registerDemo(program, io, done);
  registerImplement(program, io, done);
  registerPlan(program, io, done);
  registerRuns(program, io, done);
  registerDecisions(program, io, done);
  registerPullRequests(program, io, done);
  registerBudget(program, io, done);
  registerToken(program, io, done);
  registerKeys(program, io, done);
  registerWorker(program, io, done);
  const workflow = program.command('workflow').description('work with workflow definitions');
  registerWorkflowValidate(workflow, io, done);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const helpShown =
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help';
      return helpShown ? EXIT.ok : EXIT.usage;
    }
    const { describeFailure } = await import('./command-support.js');
    io.stderr.write(`aidev: ${describeFailure(error)}\n`);
    return EXIT.failed;
  }
}
