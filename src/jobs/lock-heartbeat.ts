import type { Logger } from '../log/create-logger.js';

/** The part of a job that renews its lock (Agenda's `Job.touch`). */
export interface Touchable {
  touch(progress?: number): Promise<void>;
}

export interface LockHeartbeat {
  touch(progress?: number): Promise<void>;
  /** Stops renewing and waits for a renewal in flight, so none lands after the job finished. */
  stop(): Promise<void>;
}

/**
 * Renews a running job's lock every `everyMs`. Renewals are serialized; a failed renewal means
 * another worker may take the job over, so the handler is told to stop through `onLost`.
 */
export function startLockHeartbeat(options: {
  job: Touchable;
  everyMs: number;
  log: Logger;
  onLost: (error: Error) => void;
}): LockHeartbeat {
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  let lastProgress: number | undefined;

  const touch = (progress?: number): Promise<void> => {
    if (progress !== undefined) lastProgress = progress;
    if (stopped) return chain;
    chain = chain
      .then(() => options.job.touch(lastProgress))
      .catch((error: unknown) => {
        if (stopped) return;
        stopped = true;
        const reason = new Error(`lost the job lock: ${(error as Error).message}`, {
          cause: error,
        });
        options.log.warn({ err: error }, 'could not renew the job lock; stopping the job');
        options.onLost(reason);
      });
    return chain;
  };

  const timer = setInterval(() => void touch(), options.everyMs);
  return {
    touch,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await chain;
    },
  };
}
