/**
 * A worker process for bench/engine.ts. `engine`: a real aidev worker (createApp) whose plugin
 * actions do nothing. `agenda`: a bare job queue with one no-op job kind, for the baseline.
 */
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { databaseOptions } from '../../src/app/from-config.js';
import { jobQueueFor } from '../../src/app/job-queue-from-config.js';
import { defineJob } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/log/create-logger.js';
import { openStore } from '../../src/store/open-store.js';
import { z } from 'zod';

const mode = process.argv[2];
const config = loadConfig({ env: process.env, cwd: process.cwd() });
const logger = createLogger({ level: 'error', format: 'json', secrets: config.secrets });

if (mode === 'engine') {
  const app = await createApp({
    config,
    logger,
    actions: { run: (call) => Promise.resolve({ channel: call.input.channel, message_id: 'm' }) },
  });
  await app.startWorker();
} else {
  const store = await openStore({ ...databaseOptions(config, logger), migrations: 'require' });
  const jobs = jobQueueFor(config, store.db, logger);
  jobs.define(
    defineJob({
      name: 'bench.noop',
      schema: z.object({ i: z.number() }),
      handler: () => Promise.resolve(),
    }),
  );
  await jobs.start();
}
process.stdout.write('ready\n');
