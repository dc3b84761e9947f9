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
import { setUpPlugins } from './plugins.js';
import { removeEndedWorkspaces } from '../agents/run-workspaces.js';
import {
  releaseExpiredReservationsJob,
  removeEndedWorkspacesJob,
  scheduleMaintenance,
} from './maintenance-jobs.js';
import { Releasers } from './releasers.js';

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
  /** The AI provider the agents use (Claude, or the recorded transcript), metered by budgets. */
  readonly ai: { readonly provider: AiProvider; readonly model: MeteredProvider | undefined };
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
}

/**
 * The composition root: config → store → jobs → engine (→ plugins → front ends, as they land).
 * Pure wiring with no process concerns: signals, exit codes and console output belong to bin/.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const { config, logger } = options;
  const releasers = new Releasers(logger);
  try {
    const workflows = await WorkflowRegistry.load(
      config.workflows.directory,
      standardWorkflowEnvironment(path.resolve(options.cwd ?? process.cwd())),
    );
    const store = await openStore({
      ...databaseOptions(config, logger),
      migrations: config.database.autoMigrate ? 'apply' : 'require',
    });
    releasers.push('store', () => store.close());

    const { registry, guards } = await setUpPlugins({ config, store, logger });
    releasers.push('plugins', async () => {
      await registry.disconnectAll();
      guards.shutdown();
    });

    // Every pull request a run opens is recorded as its own, whichever runner opens it.
    const actions = new PullRequestOwnership(
      options.actions ?? new RegistryActionRunner(registry),
      store,
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
      ...(agents.model === undefined ? {} : { budgets: agents.model }),
      timing: {
        staleMs: config.jobs.lockLifetimeMs,
        heartbeatMs: Math.max(100, Math.floor(config.jobs.lockLifetimeMs / 6)),
      },
    });
    jobs.define(releaseExpiredReservationsJob(store, () => engine.recheckBudgetPauses()));
    jobs.define(removeEndedWorkspacesJob(store, config.dataDir));
    for (const definition of options.jobDefinitions ?? []) jobs.define(definition);

    return {
      config,
      logger,
      store,
      jobs,
      engine,
      plugins: registry,
      guards,
      ai: { provider, model: agents.model },
      async startWorker() {
        await removeEndedWorkspaces(config.dataDir, store, logger).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not remove the working copies of ended runs'),
        );
        await scheduleMaintenance(jobs);
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
