import type { App } from '../../app/create-app.js';
import type { Run } from '../../store/repositories/runs.js';
import { cliUser } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import { approveAll, askAtTerminal, decideNothing } from './deciders.js';
import { followRun } from './follow-run.js';
import { jsonView, plainView, terminalView } from './progress-view.js';
import { summarise, type RunSummary } from './run-summary.js';

/** Nothing is written (the JSON view keeps stdout for JSON lines). */
const silent = { write: () => true };

/**
 * Follows a run this command started to its end: the live view on a terminal (plain lines
 * otherwise, JSON lines with --json), decisions asked at the terminal or taken by --yes, and
 * the summary. The exit code says how the run ended (see EXIT).
 */
export async function followToEnd(
  app: App,
  io: CliIo,
  run: Run,
  options: { yes?: boolean; json?: boolean; title: string },
): Promise<{ code: ExitCode; summary: RunSummary }> {
  const json = options.json === true;
  const view = json
    ? jsonView(io.stdout)
    : io.terminal !== undefined
      ? terminalView(io.terminal.stdout, options.title)
      : plainView(io.stdout);
  const decider =
    options.yes === true
      ? approveAll(json ? silent : io.stdout)
      : io.terminal !== undefined && !json
        ? askAtTerminal(io.terminal.stdin, io.terminal.stdout)
        : decideNothing;
  const result = await followRun({
    app,
    runId: run.id,
    view,
    decider,
    by: cliUser(),
    stop: io.shutdownRequested,
  });
  view.hold();
  const steps = await app.store.steps.listForRun(run.id);
  const summary = summarise(result.run, steps, await app.store.costs.totalForRun(run.id));
  if (json) io.stdout.write(`${JSON.stringify(summary.json)}\n`);
  else io.stdout.write(`\n${summary.lines.join('\n')}\n`);
  const code: ExitCode = result.stopped
    ? EXIT.interrupted
    : result.waiting !== undefined
      ? EXIT.waiting
      : result.run.status === 'succeeded'
        ? EXIT.ok
        : EXIT.failed;
  return { code, summary };
}
