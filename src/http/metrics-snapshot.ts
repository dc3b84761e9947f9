import type { App } from '../app/create-app.js';
import type { JobKindStats } from '../store/repositories/job-queue-stats.js';
import type { CostEntriesRepository } from '../store/repositories/cost-entries.js';
import type { RunStepsRepository } from '../store/repositories/run-steps.js';
import type { RunsRepository } from '../store/repositories/runs.js';
import type { PrRoundsRepository } from '../store/repositories/pr-rounds.js';
import type { WebhookDeliveriesRepository } from '../store/repositories/webhook-deliveries.js';

type Result<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

/** What one scrape reads from the database, shared by every metric of that scrape. */
export interface DatabaseSnapshot {
  readonly runs: Result<RunsRepository['countByWorkflow']>;
  /** Steps that finished since the previous snapshot. */
  readonly newSteps: Result<RunStepsRepository['finishedSince']>;
  readonly queue: readonly JobKindStats[];
  readonly costs: Result<CostEntriesRepository['totalsByModel']>;
  /** The pull-request loop: feedback, aidev's pull requests, hand-overs. */
  readonly pullRequests: Result<PrRoundsRepository['stats']>;
  readonly deliveries: Result<WebhookDeliveriesRepository['countByResult']>;
}

/**
 * A step's finish time is its transaction's start: one that commits late can carry a time
 * before the last read. Reading this far back, and remembering what was seen, counts it once.
 */
const OVERLAP_MS = 60_000;

/**
 * Reads the database figures for metrics: once per scrape, and, when the database does
 * not answer, the previous figures (logged) rather than a failed scrape.
 */
export function databaseSnapshots(app: App): () => Promise<DatabaseSnapshot> {
  let watermark = new Date();
  const seen = new Map<string, number>();
  let last: DatabaseSnapshot = {
    runs: [],
    newSteps: [],
    queue: [],
    costs: [],
    pullRequests: { feedback: [], pulls: [], handedOver: 0 },
    deliveries: [],
  };
  let pending: Promise<DatabaseSnapshot> | undefined;

  async function newSteps() {
    const since = new Date(watermark.getTime() - OVERLAP_MS);
    const steps = (await app.store.steps.finishedSince(since)).filter((step) => {
      const key = `${step.id}@${step.finishedAt.getTime()}`;
      if (seen.has(key)) return false;
      seen.set(key, step.finishedAt.getTime());
      return true;
    });
    for (const step of steps) if (step.finishedAt > watermark) watermark = step.finishedAt;
    const forgetBefore = watermark.getTime() - OVERLAP_MS;
    for (const [key, at] of seen) if (at < forgetBefore) seen.delete(key);
    return steps;
  }

  async function read(): Promise<DatabaseSnapshot> {
    try {
      const [runs, queue, costs, pullRequests, deliveries] = await Promise.all([
        app.store.runs.countByWorkflow(),
        app.store.queueStats.byKind(),
        app.store.costs.totalsByModel(),
        app.store.prRounds.stats(),
        app.store.webhookDeliveries.countByResult(),
      ]);
      last = { runs, queue, costs, pullRequests, deliveries, newSteps: await newSteps() };
    } catch (error) {
      app.logger.warn(
        { err: error },
        'metrics: the database did not answer; showing the last figures',
      );
      last = { ...last, newSteps: [] };
    }
    return last;
  }

  // The metrics of one scrape collect at once: they share the read in flight.
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
