import path from 'node:path';
import type { Config } from '../config/config.js';
import { createEngine, type Engine } from '../engine/engine.js';
import type { ActionRunner, AgentRunner } from '../engine/runners.js';
import type { PluginRegistry } from '../plugins/plugin-registry.js';
import type { Guards } from '../resilience/guards.js';
import { RegistryActionRunner } from '../plugins/registry-action-runner.js';
import { PullRequestOwnership } from '../pr-loop/pull-request-ownership.js';
import { standardWorkflowEnvironment } from '../engine/workflow-environment.js';
import { WorkflowRegistry } from '../engine/workflow-registry.js';
import type { JobDefinition, JobQueue } from '../jobs/job-queue.js';
import type { Logger } from '../log/create-logger.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { databaseOptions } from './from-config.js';
import { jobQueueFor } from './job-queue-from-config.js';
import type { MeteredProvider } from '../costs/metered-provider.js';
import type { AiProvider } from '../plugins/interfaces/ai-provider.js';
import { createAgents, createAiProvider } from './ai.js';
import { ProviderRouter } from './provider-router.js';
import { setUpPlugins } from './plugins.js';
import { removeEndedWorkspaces } from '../agents/run-workspaces.js';
import {
  releaseExpiredReservationsJob,
  removeEndedWorkspacesJob,
  scheduleMaintenance,
} from './maintenance-jobs.js';
import { Releasers } from './releasers.js';
import { PrLoop } from '../pr-loop/pr-loop.js';
import { followRounds, prLoopJobs, schedulePrLoop } from '../pr-loop/pr-loop-jobs.js';
import { TrackerTriggers } from '../tracker-triggers/tracker-triggers.js';
import { scheduleTrackerSweep, trackerJobs } from '../tracker-triggers/tracker-jobs.js';
import { LocalCiTrigger } from '../pr-loop/local-ci-trigger.js';
import { LOCAL_CI_RUN, localCiJob } from '../pr-loop/local-ci.js';
import { localCi } from './local-ci-from-config.js';
import { monitoringFor } from './monitoring-from-config.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';

/** The wired application: what every front end (CLI, worker, server) works with. */
export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly jobs: JobQueue;
  readonly engine: Engine;
  readonly plugins: PluginRegistry;
  /** The resilience guard of each outside service: calls, retries, breaker state, latency. */
  readonly guards: Guards;
  /** The pull-request loop: feedback on aidev's pull requests becomes rounds of fixes. */
  readonly pullRequests: PrLoop;
  /** Work started from Jira and Linear webhooks (labels, assignments, comments). */
  readonly trackers: TrackerTriggers;
  /**
   * The AI provider the agents use (Claude, OpenAI, or the recorded transcript: a router sending
   * each call to the provider its model names), metered by budgets; `providers` are those it
   * routes to, each with its own health.
   */
  readonly ai: {
    readonly provider: AiProvider;
    readonly providers: readonly AiProvider[];
    readonly model: MeteredProvider | undefined;
  };
  /** Traces and metrics over OTLP (#20), or none; flushed last by `stop()`. */
  readonly monitoring: Monitoring;
  /** Starts working on jobs (runs, approvals, maintenance) in this process. */
  startWorker(): Promise<void>;
  /**
   * Takes no more jobs and lets the running ones finish (the first step of a shutdown, while
   * the front ends still serve them); `stop()` does it too.
   */
  stopWorker(): Promise<void>;
  /** Releases everything in reverse order of acquisition; safe to call more than once. */
  stop(): Promise<void>;
}

export interface CreateAppOptions {
  readonly config: Config;
  readonly logger: Logger;
  /** Where relative paths in workflows (prompt templates) start; default: the working directory. */
  readonly cwd?: string;
  /** Runs plugin actions (default: the configured plugins). */
  readonly actions?: ActionRunner;
  /** Runs AI agents (default: the development and planning agents on the configured provider). */
  readonly agents?: AgentRunner;
  /** The AI provider (default: Claude with ANTHROPIC_API_KEY, else the recorded transcript). */
  readonly provider?: AiProvider;
  /** Extra job kinds (plugins, tests) next to the built-in ones. */
  readonly jobDefinitions?: readonly JobDefinition[];
  /** Traces and metrics (default: as the OTEL_* variables say). */
  readonly monitoring?: Monitoring;
}

/**
 * The composition root: config → store → jobs → engine (→ plugins → front ends, as they land).
 * Pure wiring with no process concerns: signals, exit codes and console output belong to bin/.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const { config, logger } = options;
  const releasers = new Releasers(logger);
  // First made, last released: the spans of everything that stops before it are sent.
  const monitoring = options.monitoring ?? monitoringFor(config, logger);
  releasers.push('telemetry', () => monitoring.shutdown());
  try {
    const workflows = await WorkflowRegistry.load(
      config.workflows.directory,
      standardWorkflowEnvironment(config.workflows.root),
    );
    const store = await openStore({
      ...databaseOptions(config, logger),
      migrations: config.database.autoMigrate ? 'apply' : 'require',
    });
    releasers.push('store', () => store.close());

    const { registry, guards } = await setUpPlugins({ config, store, logger, monitoring });
    releasers.push('plugins', async () => {
      await registry.disconnectAll();
      guards.shutdown();
    });

    // Every pull request a run opens is recorded as its own, whichever runner opens it; each
    // push to a local one has its tests run (the job queue exists by the time a step runs).
    const actions = new LocalCiTrigger(
      new PullRequestOwnership(options.actions ?? new RegistryActionRunner(registry), store),
      store,
      (push) => jobs.enqueue(LOCAL_CI_RUN, { ...push }),
    );
    const provider = options.provider ?? createAiProvider({ config, guards, logger });
    releasers.push('AI provider', async () => provider.close?.());
    const agents: { runner: AgentRunner; model: MeteredProvider | undefined } =
      options.agents === undefined
        ? createAgents({
            config,
            store,
            actions,
            provider,
            baseDir: path.resolve(options.cwd ?? process.cwd()),
            monitoring,
          })
        : { runner: options.agents, model: undefined };

    const jobs = jobQueueFor(config, store.db, logger);
    releasers.push('job queue', () => jobs.stop());
    // A step's claim lapses when its job's lock does: the same worker death frees both.
    const engine = createEngine({
      store,
      jobs,
      workflows,
      actions,
      agents: agents.runner,
      logger,
      worker: config.jobs.workerName,
      monitoring,
      ...(agents.model === undefined ? {} : { budgets: agents.model }),
      timing: {
        staleMs: config.jobs.lockLifetimeMs,
        heartbeatMs: Math.max(100, Math.floor(config.jobs.lockLifetimeMs / 6)),
      },
    });
    jobs.define(releaseExpiredReservationsJob(store, () => engine.recheckBudgetPauses()));
    jobs.define(removeEndedWorkspacesJob(store, config.dataDir));
    const pullRequests = new PrLoop({
      store,
      engine,
      actions,
      settings: config.pullRequests,
      // Who aidev is on GitHub (an App's slug[bot], a token's user): its own comments never count.
      identity: async () => {
        const own = await registry.resolve('version_control').plugin.identity?.();
        return own === undefined
          ? { logins: [], mentions: [] }
          : { logins: [own.login], mentions: own.mentions };
      },
      log: logger.child({ component: 'pr-loop' }),
    });
    for (const definition of prLoopJobs(pullRequests)) jobs.define(definition);
    jobs.define(localCiJob(localCi({ config, store, actions, loop: pullRequests })));
    releasers.push('pull-request loop', () => {
      unfollow();
      return Promise.resolve();
    });
    const unfollow = followRounds(engine.events, pullRequests, logger);
    const trackers = new TrackerTriggers({
      store,
      engine,
      actions,
      pullRequests,
      settings: config.trackerTriggers,
      identity: async () => (await registry.resolve('task_management').plugin.identity?.())?.login,
      // With Slack, a run a tracker started is shown in its channel as a command's run is.
      ...(config.plugins.choices.communication.use === 'slack'
        ? {
            announce: async (run, channelId) => {
              await store.slackMessages.track({ runId: run.id, teamId: null, channelId });
            },
          }
        : {}),
      log: logger.child({ component: 'tracker-triggers' }),
    });
    for (const definition of trackerJobs(trackers, store)) jobs.define(definition);
    for (const definition of options.jobDefinitions ?? []) jobs.define(definition);

    return {
      config,
      logger,
      store,
      jobs,
      engine,
      plugins: registry,
      pullRequests,
      trackers,
      guards,
      ai: {
        provider,
        providers: provider instanceof ProviderRouter ? provider.members() : [provider],
        model: agents.model,
      },
      monitoring,
      async startWorker() {
        await removeEndedWorkspaces(config.dataDir, store, logger).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not remove the working copies of ended runs'),
        );
        await scheduleMaintenance(jobs);
        await schedulePrLoop(jobs);
        await scheduleTrackerSweep(jobs);
        await engine.scheduleMaintenance();
        await jobs.start();
      },
      stopWorker: () => jobs.stop(),
      stop: () => releasers.releaseAll(),
    };
  } catch (error) {
    await releasers.releaseAll();
    throw error;
  }
}
