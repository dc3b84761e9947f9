import { commentOnRun, describeCommentOutcome } from '../../pr-loop/run-feedback.js';
import { cliUser, withApp } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

/**
 * `aidev pr comment RUN "text" [--file F --line N]`. Whoever runs aidev here has the database
 * in hand, so the comment counts as from someone who may ask (as decisions from the CLI do).
 */
export function commentOnPullRequest(
  io: CliIo,
  runId: string,
  text: string,
  options: GlobalOptions & { file?: string; line?: string },
): Promise<ExitCode> {
  const body = text.trim();
  if (body === '') {
    io.stderr.write('aidev pr comment: the comment is empty; say what to change\n');
    return Promise.resolve(EXIT.usage);
  }
  const line = options.line === undefined ? undefined : Number(options.line);
  if (line !== undefined && (!Number.isInteger(line) || line < 1)) {
    io.stderr.write(
      `aidev pr comment: --line expects a line number (1 or more), found ${JSON.stringify(options.line)}\n`,
    );
    return Promise.resolve(EXIT.usage);
  }
  if (line !== undefined && options.file === undefined) {
    io.stderr.write('aidev pr comment: --line needs --file (the file the line is in)\n');
    return Promise.resolve(EXIT.usage);
  }
  return withApp(io, options, 'pr comment', async (app) => {
    const outcome = await commentOnRun(app.store, app.pullRequests, {
      runId,
      comments: [
        {
          body,
          ...(options.file === undefined ? {} : { path: options.file }),
          ...(line === undefined ? {} : { line }),
        },
      ],
      author: cliUser(),
      origin: 'cli',
    });
    const said = describeCommentOutcome(outcome);
    if (outcome.outcome === 'no_run') {
      io.stderr.write(
        `aidev pr comment: there is no run ${JSON.stringify(runId)} (aidev runs lists them)\n`,
      );
      return EXIT.failed;
    }
    if (outcome.outcome !== 'queued' && outcome.outcome !== 'already_queued') {
      io.stderr.write(`aidev pr comment: ${said}\n`);
      return EXIT.failed;
    }
    io.stdout.write(
      `${said}${outcome.next.kind === 'start' || outcome.next.kind === 'busy' ? ` (${outcome.pull.url}); a worker runs it, \`aidev run ${runId}\` shows the rounds` : ''}.\n`,
    );
    return EXIT.ok;
  });
}
