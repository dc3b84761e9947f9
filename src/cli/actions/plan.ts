import { cliUser, withApp } from '../app-session.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { followToEnd } from '../follow/follow-to-end.js';

export interface PlanOptions extends GlobalOptions {
  readonly project: string;
  readonly yes?: boolean;
  readonly json?: boolean;
}

/** `aidev plan REQUIREMENTS --project KEY`: follows the run to its end in this process. */
export function runPlan(io: CliIo, requirements: string, options: PlanOptions): Promise<ExitCode> {
  return withApp(io, { ...options, worker: true }, 'plan', async (app) => {
    const { run } = await app.engine.startRun({
      workflow: 'plan-project',
      inputs: { requirements, project: options.project },
      trigger: 'cli',
      userId: cliUser(),
    });
    return (
      await followToEnd(app, io, run, { ...options, title: `aidev · plan · ${options.project}` })
    ).code;
  });
}
