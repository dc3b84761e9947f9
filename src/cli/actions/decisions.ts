import type { App } from '../../app/create-app.js';
import { cliUser, withApp } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

/**
 * Decisions from the command line. Whoever runs aidev here has the database in hand, so the
 * command line decides as an admin would (`override`), and the run log names `cli:<user>`.
 */
export function decide(
  io: CliIo,
  id: string,
  approve: boolean,
  options: GlobalOptions & { feedback?: string; step?: string },
): Promise<ExitCode> {
  return withApp(io, options, approve ? 'approve' : 'reject', async (app) => {
    const outcome = await app.engine.decide(id, {
      approve,
      by: cliUser(),
      override: true,
      ...(options.feedback === undefined ? {} : { feedback: options.feedback }),
      ...(options.step === undefined ? {} : { step: options.step }),
    });
    switch (outcome.outcome) {
      case 'decided':
        io.stdout.write(
          `${outcome.step} ${approve ? 'approved' : 'rejected'}; the run goes on (a worker picks it up).\n`,
        );
        return EXIT.ok;
      case 'already_decided':
        io.stderr.write(
          `${outcome.step} was already ${outcome.approved ? 'approved' : 'rejected'} by ${outcome.decidedBy} at ${outcome.decidedAt}; nothing changed.\n`,
        );
        return EXIT.failed;
      case 'cannot_continue':
        io.stderr.write(`not taken: ${outcome.reason}; nothing changed.\n`);
        return EXIT.failed;
      case 'not_waiting':
        io.stderr.write(
          `the run is ${outcome.status}, not waiting for approval; nothing changed.\n`,
        );
        return EXIT.failed;
      case 'not_found':
        return notFound(io, id);
      case 'not_allowed':
        io.stderr.write(`only ${outcome.approvers.join(', ')} may decide at ${outcome.step}.\n`);
        return EXIT.failed;
    }
  });
}

/** `aidev cancel ID`. */
export function cancel(io: CliIo, id: string, options: GlobalOptions): Promise<ExitCode> {
  return withApp(io, options, 'cancel', (app) => cancelRun(app, io, id));
}

async function cancelRun(app: App, io: CliIo, id: string): Promise<ExitCode> {
  const outcome = await app.engine.cancel(id, cliUser());
  switch (outcome.outcome) {
    case 'cancelling':
      io.stdout.write(
        'cancel requested: the run stops at its next step boundary (a worker finishes it).\n',
      );
      return EXIT.ok;
    case 'finished':
      io.stderr.write(
        `the run already ${outcome.status === 'succeeded' ? 'succeeded' : `ended (${outcome.status})`}; nothing changed.\n`,
      );
      return EXIT.failed;
    case 'not_found':
      return notFound(io, id);
  }
}

function notFound(io: CliIo, id: string): ExitCode {
  io.stderr.write(`there is no run ${JSON.stringify(id)} (aidev runs lists them)\n`);
  return EXIT.failed;
}
