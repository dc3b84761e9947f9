import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

/** `aidev pr comment RUN "text"`: feedback on the pull request a run opened. */
export function registerPullRequests(
  program: Command,
  io: CliIo,
  done: (code: ExitCode) => void,
): void {
  const pr = program
    .command('pr')
    .description('the pull requests aidev opened: feedback that starts a round of fixes');
  pr.command('comment')
    .description(
      'comment on the pull request a run opened, as a reviewer would: the next round of fixes takes it up (on local_git the comment is added to the local pull request)',
    )
    .argument('<run>', 'the run that opened the pull request (or one of its rounds)')
    .argument('<text>', 'what to change')
    .option('--file <path>', 'the file the comment is about')
    .option('--line <number>', 'the line of that file')
    .action(
      async (
        run: string,
        text: string,
        options: { file?: string; line?: string },
        command: Command,
      ) => {
        const { commentOnPullRequest } = await import('../actions/pull-requests.js');
        done(
          await commentOnPullRequest(io, run, text, {
            ...command.optsWithGlobals<GlobalOptions>(),
            ...options,
          }),
        );
      },
    );
}
