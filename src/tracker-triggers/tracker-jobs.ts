import { z } from 'zod';
import { defineJob, type JobDefinition } from '../jobs/job-queue.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Store } from '../store/store.js';
import type { TrackerTriggers } from './tracker-triggers.js';

/** Acts on one recorded Jira or Linear delivery (queued by /jira/webhooks, /linear/webhooks). */
export const TRACKER_DELIVERY = 'tracker.delivery';

/** Acts on the tracker deliveries a dead process recorded and never acted on. */
export const TRACKER_SWEEP = 'tracker.sweep';

export function trackerJobs(triggers: TrackerTriggers, store: Store): JobDefinition[] {
  return [
    {
      name: TRACKER_SWEEP,
      schema: z.object({}),
      concurrency: 1,
      async handler({ log }) {
        const before = new Date(Date.now() - 60_000);
        for (const source of ['jira', 'linear'] as const)
          for (const delivery of await store.webhookDeliveries.unhandled(before, { source }))
            await triggers
              .handleDelivery(source, delivery.deliveryId)
              .catch((error: unknown) =>
                log.warn(
                  { err: error, delivery: delivery.deliveryId },
                  'could not act on a delivery',
                ),
              );
      },
    },
    defineJob({
      name: TRACKER_DELIVERY,
      schema: z.object({ source: z.enum(['jira', 'linear']), delivery_id: z.string().min(1) }),
      removeOnComplete: true,
      async handler({ data }) {
        await triggers.handleDelivery(data.source, data.delivery_id);
      },
    }),
  ];
}

export async function scheduleTrackerSweep(jobs: JobQueue): Promise<void> {
  await jobs.every('2 minutes', TRACKER_SWEEP);
}
