import type { AgendaBackend, JobRepository } from 'agenda';

/** An Agenda backend whose job lookups can be closed, and then awaited to the last one. */
export interface ClosingBackend extends AgendaBackend {
  /**
   * Takes no more jobs from the moment of the call: a lookup still under way gives back the job
   * it locked (unlocked for other workers) and reports none. Resolves once no lookup runs.
   */
  close(): Promise<void>;
  /** Takes jobs again (a queue started after it was stopped). */
  open(): void;
}

/**
 * Wraps a backend so that stopping the queue really ends its use of the database. Agenda's
 * `stop()` clears its poll timer but does not wait for a lookup already running, which locks
 * a job nobody will run and then queries on after the store has ended the pool ("Cannot use a
 * pool after calling end on the pool", issue 16).
 */
export function closingBackend(backend: AgendaBackend): ClosingBackend {
  const inner = backend.repository;
  const running = new Set<Promise<void>>();
  let closed = false;

  const take: JobRepository['getNextJobToRun'] = async (...args) => {
    const job = await inner.getNextJobToRun(...args);
    if (!closed || job === undefined) return job;
    // Locked just now and not run here: free it whatever its state (unlockJob would keep the
    // lock of a job whose next run is unset, as a job taken over from a dead worker).
    if (job._id !== undefined) await inner.unlockJobs([job._id]);
    return undefined;
  };
  const lookup: JobRepository['getNextJobToRun'] = (...args) => {
    if (closed) return Promise.resolve(undefined);
    const taking = take(...args);
    const settled = taking.then(
      () => undefined,
      () => undefined,
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
    return taking;
  };
  // Every other method is the repository's own, called on it.
  const repository = new Proxy(inner, {
    get(target, name) {
      if (name === 'getNextJobToRun') return lookup;
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });

  return {
    name: backend.name,
    repository,
    notificationChannel: backend.notificationChannel,
    logger: backend.logger,
    ownsConnection: backend.ownsConnection,
    connect: () => backend.connect(),
    disconnect: () => backend.disconnect(),
    open() {
      closed = false;
    },
    async close() {
      closed = true;
      // A lookup that found a job unlocks it before it settles; nothing new starts.
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}
