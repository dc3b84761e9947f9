import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { App } from '../app/create-app.js';
import type { GuardStats } from '../resilience/service-guard.js';
import { TERMINAL_RUN_STATUSES } from '../store/repositories/runs.js';
import { databaseSnapshots, type DatabaseSnapshot } from './metrics-snapshot.js';

/** The metrics aidev exposes at /metrics, and the one a front end observes into. */
export interface AidevMetrics {
  readonly registry: Registry;
  /**
   * How long the Slack app took to acknowledge a request (Slack gives up after 3 s), in
   * seconds: `metrics.slackAck.observe({ kind: 'command' }, seconds)`.
   */
  readonly slackAck: Histogram<'kind'>;
}

const STEP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];
const ACK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const BREAKER_STATES = ['closed', 'half_open', 'open'] as const;

/**
 * Registers aidev's metrics on `registry` (one per server, so tests can run several). Run,
 * step, queue and AI figures are read from the database at scrape time, so they include the
 * work of every worker process; vendor figures are this process's own guards.
 */
export function createMetrics(app: App, registry = new Registry()): AidevMetrics {
  collectDefaultMetrics({ register: registry, prefix: 'aidev_process_' });
  const snapshot = databaseSnapshots(app);
  registerRunMetrics(registry, snapshot);
  registerPullRequestMetrics(registry, snapshot);
  registerQueueMetrics(registry, snapshot);
  registerAiMetrics(registry, snapshot);
  registerVendorMetrics(registry, app);
  const slackAck = new Histogram({
    name: 'aidev_slack_ack_seconds',
    help: 'Time from receiving a Slack request to acknowledging it (Slack retries after 3 s).',
    labelNames: ['kind'] as const,
    buckets: ACK_BUCKETS,
    registers: [registry],
  });
  return { registry, slackAck };
}

type Snapshot = () => Promise<DatabaseSnapshot>;

function registerRunMetrics(registry: Registry, snapshot: Snapshot): void {
  const registers = [registry];
  const runs = async () => (await snapshot()).runs;
  new Counter({
    name: 'aidev_runs_started_total',
    help: 'Runs started, by workflow (every process; from the database).',
    labelNames: ['workflow'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { workflow, count } of await runs()) this.inc({ workflow }, count);
    },
  });
  new Counter({
    name: 'aidev_runs_finished_total',
    help: 'Runs that ended, by workflow and final status (succeeded, failed, cancelled).',
    labelNames: ['workflow', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { workflow, status, count } of await runs())
        if (TERMINAL_RUN_STATUSES.includes(status)) this.inc({ workflow, status }, count);
    },
  });
  new Counter({
    name: 'aidev_runs_failed_total',
    help: 'Runs that failed, by workflow.',
    labelNames: ['workflow'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { workflow, status, count } of await runs())
        if (status === 'failed') this.inc({ workflow }, count);
    },
  });
  new Gauge({
    name: 'aidev_runs_active',
    help: 'Runs not finished yet, by workflow and status (queued, running, waiting).',
    labelNames: ['workflow', 'status'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { workflow, status, count } of await runs())
        if (!TERMINAL_RUN_STATUSES.includes(status)) this.set({ workflow, status }, count);
    },
  });
  let observed: DatabaseSnapshot | undefined;
  new Histogram({
    name: 'aidev_step_duration_seconds',
    help: 'Duration of finished workflow steps (an approval step includes its wait), by workflow, step and status; steps finished since this server started.',
    labelNames: ['workflow', 'step', 'status'] as const,
    buckets: STEP_BUCKETS,
    registers,
    async collect() {
      const current = await snapshot();
      // Two scrapes may share a snapshot: its new steps are observed once.
      if (current === observed) return;
      observed = current;
      for (const step of current.newSteps)
        this.observe(
          { workflow: step.workflow, step: step.step, status: step.status },
          step.seconds,
        );
    },
  });
}

function registerQueueMetrics(registry: Registry, snapshot: Snapshot): void {
  const registers = [registry];
  new Gauge({
    name: 'aidev_job_queue_depth',
    help: 'Jobs by kind and state: queued (due, no worker yet), running, scheduled (later).',
    labelNames: ['job', 'state'] as const,
    registers,
    async collect() {
      const { queue } = await snapshot();
      this.reset();
      for (const kind of queue) {
        this.set({ job: kind.name, state: 'queued' }, kind.queued);
        this.set({ job: kind.name, state: 'running' }, kind.running);
        this.set({ job: kind.name, state: 'scheduled' }, kind.scheduled);
      }
    },
  });
  new Gauge({
    name: 'aidev_job_queue_lag_seconds',
    help: 'How long the oldest due job of each kind has waited for a worker.',
    labelNames: ['job'] as const,
    registers,
    async collect() {
      const { queue } = await snapshot();
      this.reset();
      for (const kind of queue) this.set({ job: kind.name }, kind.lagSeconds);
    },
  });
}

function registerAiMetrics(registry: Registry, snapshot: Snapshot): void {
  const registers = [registry];
  const costs = async () => (await snapshot()).costs;
  new Counter({
    name: 'aidev_ai_tokens_total',
    help: 'Tokens billed, by model and kind (input, output, cache_write, cache_read).',
    labelNames: ['model', 'kind'] as const,
    registers,
    async collect() {
      this.reset();
      for (const line of await costs()) {
        const model = line.model;
        this.inc({ model, kind: 'input' }, line.inputTokens);
        this.inc({ model, kind: 'output' }, line.outputTokens);
        this.inc({ model, kind: 'cache_write' }, line.cacheWriteTokens);
        this.inc({ model, kind: 'cache_read' }, line.cacheReadTokens);
      }
    },
  });
  new Counter({
    name: 'aidev_ai_cost_usd_total',
    help: 'Dollars spent on model calls, by model (from the recorded costs).',
    labelNames: ['model'] as const,
    registers,
    async collect() {
      this.reset();
      for (const line of await costs()) this.inc({ model: line.model }, Number(line.usd));
    },
  });
  new Counter({
    name: 'aidev_ai_calls_total',
    help: 'Model calls, by model.',
    labelNames: ['model'] as const,
    registers,
    async collect() {
      this.reset();
      for (const line of await costs()) this.inc({ model: line.model }, line.calls);
    },
  });
}

/** The pull-request loop (#18): rounds are runs of address-feedback, counted with the runs. */
function registerPullRequestMetrics(registry: Registry, snapshot: Snapshot): void {
  const registers = [registry];
  new Counter({
    name: 'aidev_pr_feedback_total',
    help: 'Feedback queued on aidev’s pull requests, by kind (review, comment, failing_check).',
    labelNames: ['kind'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { kind, count } of (await snapshot()).pullRequests.feedback)
        this.inc({ kind }, count);
    },
  });
  new Gauge({
    name: 'aidev_pull_requests',
    help: 'Pull requests aidev opened, by state (open, merged, closed).',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { state, count } of (await snapshot()).pullRequests.pulls)
        this.set({ state }, count);
    },
  });
  new Counter({
    name: 'aidev_pr_handovers_total',
    help: 'Pull requests on which aidev used up pull_requests.max_fix_rounds and asked a person.',
    registers,
    async collect() {
      this.reset();
      this.inc((await snapshot()).pullRequests.handedOver);
    },
  });
  new Counter({
    name: 'aidev_github_deliveries_total',
    help: 'GitHub webhook deliveries recorded, by event and result (acted, ignored, pending).',
    labelNames: ['event', 'result'] as const,
    registers,
    async collect() {
      this.reset();
      for (const { event, result, count } of (await snapshot()).deliveries)
        this.inc({ event, result }, count);
    },
  });
}

function registerVendorMetrics(registry: Registry, app: App): void {
  const counter = (name: string, help: string, read: (stats: GuardStats) => number) =>
    new Counter({
      name,
      help,
      // The site is a host name (never a URL with credentials): each site has its own guard.
      labelNames: ['service', 'site'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const stats of app.guards.stats())
          this.inc({ service: stats.service, site: stats.site }, read(stats));
      },
    });
  counter(
    'aidev_vendor_calls_total',
    'Calls to an outside service (this process).',
    (s) => s.calls,
  );
  counter(
    'aidev_vendor_failures_total',
    'Calls that failed after their retries.',
    (s) => s.failures,
  );
  counter(
    'aidev_vendor_retries_total',
    'Retries of calls to an outside service.',
    (s) => s.retries,
  );
  counter(
    'aidev_vendor_rejected_total',
    'Calls refused without trying while the circuit breaker was open.',
    (s) => s.rejected,
  );
  new Gauge({
    name: 'aidev_vendor_breaker_state',
    help: 'Circuit breaker of each outside service’s site: 1 for its current state, 0 for the others.',
    labelNames: ['service', 'site', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const stats of app.guards.stats())
        for (const state of BREAKER_STATES)
          this.set(
            { service: stats.service, site: stats.site, state },
            state === stats.state ? 1 : 0,
          );
    },
  });
}
