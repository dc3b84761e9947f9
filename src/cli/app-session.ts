import { userInfo } from 'node:os';
import path from 'node:path';
import type { App } from '../app/create-app.js';
import type { Config } from '../config/config.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { databaseOptions } from '../app/from-config.js';
import { EXIT, type CliIo, type ExitCode } from './cli-io.js';
import {
  configOrReport,
  describeFailure,
  loggerFor,
  type GlobalOptions,
} from './command-support.js';

/** Who a person at this command line is, on the runs they start and the decisions they make. */
export function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli:unknown';
  }
}

/**
 * Runs a command with the whole app (plugins, engine, agents), optionally working on jobs in
 * this process, and always stops it. Failures become one line on stderr and exit code 1.
 */
export async function withApp(
  io: CliIo,
  options: GlobalOptions & {
    worker?: boolean;
    record?: string;
    /** Changes the configuration for this command (the demo's embedded backends). */
    adjust?: (config: Config) => Config;
  },
  name: string,
  fn: (app: App) => Promise<ExitCode>,
): Promise<ExitCode> {
  const loaded = configOrReport(io, options);
  if (loaded === undefined) return EXIT.failed;
  const recorded: Config =
    options.record === undefined
      ? loaded
      : { ...loaded, ai: { ...loaded.ai, record: path.resolve(io.cwd, options.record) } };
  const config = options.adjust?.(recorded) ?? recorded;
  const logger = loggerFor(config, 'warn');
  let app: App | undefined;
  try {
    // The whole app (every plugin's SDK) is loaded only by the commands that need it.
    const { createApp } = await import('../app/create-app.js');
    app = await createApp({ config, logger, cwd: io.cwd });
    if (options.worker === true) await app.startWorker();
    return await fn(app);
  } catch (error) {
    io.stderr.write(`aidev ${name}: ${describeFailure(error)}\n`);
    logger.debug({ err: error }, `${name} failed`);
    return EXIT.failed;
  } finally {
    await app?.stop();
  }
}

/** Runs a read-only command with the store alone (no plugins, no jobs). */
export async function withStore(
  io: CliIo,
  options: GlobalOptions,
  name: string,
  fn: (store: Store, config: Config) => Promise<ExitCode>,
): Promise<ExitCode> {
  const config = configOrReport(io, options);
  if (config === undefined) return EXIT.failed;
  const logger = loggerFor(config, 'warn');
  let store: Store | undefined;
  try {
    store = await openStore({
      ...databaseOptions(config, logger),
      migrations: config.database.autoMigrate ? 'apply' : 'require',
    });
    return await fn(store, config);
  } catch (error) {
    io.stderr.write(`aidev ${name}: ${describeFailure(error)}\n`);
    return EXIT.failed;
  } finally {
    await store?.close();
  }
}
