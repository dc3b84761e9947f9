import { z } from 'zod';
import type { JobDefinition, JobQueue } from '../jobs/job-queue.js';
import type { Store } from '../store/store.js';

export const RELEASE_EXPIRED_RESERVATIONS = 'maintenance.release-expired-reservations';

/**
 * A budget reservation whose provider call never reported back (its worker died) would block
 * budget forever; this job frees it once it has expired, then lets runs that paused only
 * because of such holds go on (`released`).
 */
export function releaseExpiredReservationsJob(
  store: Store,
  released: () => Promise<unknown>,
): JobDefinition {
  return {
    name: RELEASE_EXPIRED_RESERVATIONS,
    schema: z.object({}),
    concurrency: 1,
    async handler({ log }) {
      const count = await store.reservations.releaseExpired();
      if (count === 0) return;
      log.info({ released: count }, `released ${count} expired budget reservation(s)`);
      await released();
    },
  };
}

export async function scheduleMaintenance(jobs: JobQueue): Promise<void> {
  await jobs.every('1 minute', RELEASE_EXPIRED_RESERVATIONS);
}
