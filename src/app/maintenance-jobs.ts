import { z } from 'zod';
import { removeEndedWorkspaces } from '../agents/run-workspaces.js';
import type { JobDefinition, JobQueue } from '../jobs/job-queue.js';
import type { Store } from '../store/store.js';

export const RELEASE_EXPIRED_RESERVATIONS = 'maintenance.release-expired-reservations';
export const REMOVE_ENDED_WORKSPACES = 'maintenance.remove-ended-workspaces';

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

/**
 * A run's working copies go when it ends; those of a worker that died mid-step, or of a run
 * another worker finished, are found here: hourly by whichever worker runs the job, and by each
 * worker in its own data directory when it starts (a worker restarted after a crash).
 */
export function removeEndedWorkspacesJob(store: Store, dataDir: string): JobDefinition {
  return {
    name: REMOVE_ENDED_WORKSPACES,
    schema: z.object({}),
    concurrency: 1,
    async handler({ log }) {
      await removeEndedWorkspaces(dataDir, store, log);
    },
  };
}

export async function scheduleMaintenance(jobs: JobQueue): Promise<void> {
  await jobs.every('1 minute', RELEASE_EXPIRED_RESERVATIONS);
  await jobs.every('1 hour', REMOVE_ENDED_WORKSPACES);
}
