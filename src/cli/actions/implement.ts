import { cliUser, withApp } from '../app-session.js';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { followToEnd } from '../follow/follow-to-end.js';

export interface ImplementOptions extends GlobalOptions {
  readonly repo: string;
  readonly workflow: string;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly record?: string;
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
