import { createApp } from '../../app/create-app.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import {
  configOrReport,
  describeFailure,
  loggerFor,
  type GlobalOptions,
} from '../command-support.js';

export async function runWorker(io: CliIo, options: GlobalOptions): Promise<ExitCode> {
  // From here on, SIGINT/SIGTERM mean "stop gracefully", even while still starting up.
  const shutdown = io.shutdownRequested;
  const config = configOrReport(io, options);
  if (config === undefined) return EXIT.failed;
  const logger = loggerFor(config, 'info');
  let app;
  try {
    app = await createApp({ config, logger });
    await app.startWorker();
  } catch (error) {
    await app?.stop();
    io.stderr.write(`aidev worker: ${describeFailure(error)}\n`);
    logger.debug({ err: error }, 'worker failed to start');
    return EXIT.failed;
  }
  logger.info({ database: app.store.db.describe() }, 'worker ready');
  const signal = await shutdown;
  logger.info({ signal }, 'stopping: finishing running jobs');
  await app.stop();
  logger.info('worker stopped');
  return EXIT.ok;
}
