import { z } from 'zod';
import type { EngineEventBus } from '../engine/engine-events.js';
import { defineJob, type JobDefinition, type JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import type { PrLoop } from './pr-loop.js';

/** Acts on one recorded GitHub delivery (enqueued by POST /github/webhooks). */
export const GITHUB_DELIVERY = 'github.delivery';
/** Acts on one recorded GitLab delivery (enqueued by POST /gitlab/webhooks). */
export const GITLAB_DELIVERY = 'gitlab.delivery';
/** Moves every pull request's loop that was left waiting on; every few minutes. */
export const PR_LOOP_SWEEP = 'pr-loop.sweep';

export function prLoopJobs(loop: PrLoop): JobDefinition[] {
  return [
    defineJob({
      name: GITHUB_DELIVERY,
      schema: z.object({ delivery_id: z.string().min(1) }),
      removeOnComplete: true,
      async handler({ data }) {
        await loop.handleDelivery(data.delivery_id);
      },
    }),
    defineJob({
      name: GITLAB_DELIVERY,
      schema: z.object({ delivery_id: z.string().min(1) }),
      removeOnComplete: true,
      async handler({ data }) {
        await loop.handleDelivery(data.delivery_id, 'gitlab');
      },
    }),
    {
      name: PR_LOOP_SWEEP,
      schema: z.object({}),
      concurrency: 1,
      async handler({ log }) {
        const started = await loop.sweep();
        if (started > 0) log.info({ started }, `started ${started} round(s) of fixes left waiting`);
      },
    },
  ];
}

export async function schedulePrLoop(jobs: JobQueue): Promise<void> {
  await jobs.every('2 minutes', PR_LOOP_SWEEP);
}

/**
 * When a round ends (in this worker), the next one may start at once; the sweep catches what
 * a worker that died in between left.
 */
export function followRounds(events: EngineEventBus, loop: PrLoop, log: Logger): () => void {
  return events.subscribe((event) => {
    if (
      event.type !== 'run.succeeded' &&
      event.type !== 'run.failed' &&
      event.type !== 'run.cancelled'
    )
      return;
    void loop
      .runEnded(event.runId)
      .catch((error: unknown) =>
        log.warn({ err: error, runId: event.runId }, 'could not start the next round of fixes'),
      );
  });
}
