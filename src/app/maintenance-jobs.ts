import { z } from 'zod';
import type { JobDefinition, JobQueue } from '../jobs/job-queue.js';
import type { Store } from '../store/store.js';

export const RELEASE_EXPIRED_RESERVATIONS = 'maintenance.release-expired-reservations';

/**
 * A budget reservation whose provider call never reported back (its worker died) would block
 * budget forever; this job frees it once it has expired.
 */
export function releaseExpiredReservationsJob(store: Store): JobDefinition {
  return {
    name: RELEASE_EXPIRED_RESERVATIONS,
    schema: z.object({}),
    concurrency: 1,
    async handler({ log }) {
      const released = await store.reservations.releaseExpired();
      if (released > 0)
        log.info({ released }, `released ${released} expired budget reservation(s)`);
    },
  };
}

export async function scheduleMaintenance(jobs: JobQueue): Promise<void> {
  await jobs.every('1 minute', RELEASE_EXPIRED_RESERVATIONS);
}
