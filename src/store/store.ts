import type { Database, Queryable } from './database.js';
import { createAgentSessionsRepository } from './repositories/agent-sessions.js';
import { createApiTokensRepository } from './repositories/api-tokens.js';
import { createAuditLogRepository } from './repositories/audit-log.js';
import { createBudgetReservationsRepository } from './repositories/budget-reservations.js';
import { createBudgetsRepository } from './repositories/budgets.js';
import { createChannelSettingsRepository } from './repositories/channel-settings.js';
import { createCostEntriesRepository } from './repositories/cost-entries.js';
import { createPluginConfigurationsRepository } from './repositories/plugin-configurations.js';
import { createProjectsRepository } from './repositories/projects.js';
import { createRunEventsRepository } from './repositories/run-events.js';
import { createRunStepsRepository } from './repositories/run-steps.js';
import { createRunsRepository } from './repositories/runs.js';
import { createSlackCommandsRepository } from './repositories/slack-commands.js';
import { createSlackRunMessagesRepository } from './repositories/slack-run-messages.js';
import { createTasksRepository } from './repositories/tasks.js';
import { createTaskCommentsRepository } from './repositories/task-comments.js';
import { createLocalPullRequestsRepository } from './repositories/local-pull-requests.js';
import { createLocalPullRequestCommentsRepository } from './repositories/local-pull-request-comments.js';
import { createLocalChecksRepository } from './repositories/local-checks.js';
import { createJobQueueStatsRepository } from './repositories/job-queue-stats.js';
import { createRateLimitsRepository } from './repositories/rate-limits.js';
import { createWebhookDeliveriesRepository } from './repositories/webhook-deliveries.js';
import { createPullRequestsRepository } from './repositories/pull-requests.js';
import { createPrRoundsRepository } from './repositories/pr-rounds.js';

export function createRepositories(q: Queryable) {
  return {
    projects: createProjectsRepository(q),
    tasks: createTasksRepository(q),
    taskComments: createTaskCommentsRepository(q),
    localPullRequests: createLocalPullRequestsRepository(q),
    localPullRequestComments: createLocalPullRequestCommentsRepository(q),
    localChecks: createLocalChecksRepository(q),
    runs: createRunsRepository(q),
    steps: createRunStepsRepository(q),
    events: createRunEventsRepository(q),
    costs: createCostEntriesRepository(q),
    budgets: createBudgetsRepository(q),
    reservations: createBudgetReservationsRepository(q),
    channels: createChannelSettingsRepository(q),
    plugins: createPluginConfigurationsRepository(q),
    tokens: createApiTokensRepository(q),
    audit: createAuditLogRepository(q),
    agentSessions: createAgentSessionsRepository(q),
    slackMessages: createSlackRunMessagesRepository(q),
    slackCommands: createSlackCommandsRepository(q),
    queueStats: createJobQueueStatsRepository(q),
    rateLimits: createRateLimitsRepository(q),
    webhookDeliveries: createWebhookDeliveriesRepository(q),
    pullRequests: createPullRequestsRepository(q),
    prRounds: createPrRoundsRepository(q),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;

/** The typed entry point to the system of record: no SQL lives outside src/store. */
export interface Store extends Repositories {
  readonly db: Database;
  /** Runs `fn` with repositories bound to one transaction (SQL only inside; see Database). */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function createStore(db: Database): Store {
  return {
    ...createRepositories(db),
    db,
    transaction: (fn) => db.transaction((tx) => fn(createRepositories(tx))),
    close: () => db.close(),
  };
}
