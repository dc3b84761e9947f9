import type { z } from 'zod';
import type { ApiToken } from '../../store/repositories/api-tokens.js';
import type { CostEntry } from '../../store/repositories/cost-entries.js';
import type { Project } from '../../store/repositories/projects.js';
import {
  describeFeedback,
  type PullRequestRounds,
  type RunRounds,
} from '../../pr-loop/rounds-of-run.js';
import type { RunEvent } from '../../store/repositories/run-events.js';
import type { RunStep } from '../../store/repositories/run-steps.js';
import type { Run } from '../../store/repositories/runs.js';
import { effectiveDeadline, waitedMs } from '../../engine/run-deadline.js';
import type {
  pullRequestSchema,
  decisionSchema,
  eventSchema,
  projectSchema,
  runSchema,
  stepSchema,
  tokenSchema,
} from './schemas.js';

/** The API's JSON for each record: snake_case, ISO timestamps, dollars as decimal text. */

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function runView(run: Run): z.input<typeof runSchema> {
  const now = new Date();
  return {
    id: run.id,
    workflow: run.workflowName,
    workflow_version: run.workflowVersion,
    status: run.status,
    waiting_for: run.waitingFor,
    inputs: run.inputs,
    error: run.error,
    channel_id: run.channelId,
    user_id: run.userId,
    project_id: run.projectId,
    task_key: run.taskKey,
    trigger: run.trigger,
    cancel_requested_at: iso(run.cancelRequestedAt),
    // Waiting for a decision does not count against the run's time (#16): read as aidev run does.
    deadline_at: iso(effectiveDeadline(run, now)),
    waiting_since: iso(run.waitingSince),
    waited_ms: waitedMs(run, now),
    created_at: run.createdAt.toISOString(),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    updated_at: run.updatedAt.toISOString(),
  };
}

export function pullRequestView({
  pull,
  rounds,
  waiting,
}: PullRequestRounds): z.input<typeof pullRequestSchema> {
  return {
    url: pull.url,
    repository: pull.repository,
    number: pull.number,
    branch: pull.branch,
    state: pull.state,
    step: pull.stepName,
    opened_at: pull.openedAt.toISOString(),
    rounds: rounds.map((r) => ({
      number: r.number,
      run_id: r.runId,
      status: r.status,
      started_at: r.startedAt.toISOString(),
      trigger: describeFeedback(r.feedback),
      feedback: r.feedback.map((f) => ({
        source_id: f.sourceId,
        kind: f.kind,
        author: f.author,
        origin: f.origin,
      })),
      cost_usd: r.costUsd,
    })),
    waiting_feedback: waiting.length,
    handed_over_at: iso(pull.handedOverAt),
  };
}

/** GET /runs/{id}'s (and aidev run's) view of the pull-request loop. */
export function roundsView(rounds: RunRounds, parentRunId: string | null) {
  return {
    pull_requests: rounds.pulls.map(pullRequestView),
    round_of:
      rounds.roundOf === null
        ? null
        : {
            pull_request: rounds.roundOf.pull.url,
            number: rounds.roundOf.number,
            run_id: parentRunId ?? rounds.roundOf.pull.runId,
          },
  };
}

export function stepView(step: RunStep): z.input<typeof stepSchema> {
  return {
    name: step.stepName,
    index: step.stepIndex,
    kind: step.kind,
    status: step.status,
    attempt: step.attempt,
    outputs: step.outputs,
    error: step.error,
    skip_reason: step.skipReason,
    started_at: iso(step.startedAt),
    finished_at: iso(step.finishedAt),
  };
}

export function eventView(event: RunEvent): z.input<typeof eventSchema> {
  return {
    id: event.id,
    type: event.type,
    step: event.stepName,
    level: event.level,
    message: event.message,
    data: event.data,
    at: event.createdAt.toISOString(),
  };
}

export function costEntryView(entry: CostEntry) {
  return {
    step: entry.stepName,
    provider: entry.provider,
    model: entry.model,
    input_tokens: entry.inputTokens,
    output_tokens: entry.outputTokens,
    cache_write_tokens: entry.cacheWriteTokens + entry.cacheWrite1hTokens,
    cache_read_tokens: entry.cacheReadTokens,
    usd: entry.usd,
    at: entry.createdAt.toISOString(),
  };
}

/** What a waiting run waits for, from the record its waiting step keeps. */
export function decisionView(
  run: Run,
  steps: readonly RunStep[],
): z.input<typeof decisionSchema> | null {
  if (run.status !== 'waiting') return null;
  const step = steps.find((s) => s.status === 'waiting');
  const record = (step?.inputs ?? {}) as Record<string, unknown>;
  if (step === undefined) return null;
  const approvers = Array.isArray(record.approvers)
    ? record.approvers.filter((a): a is string => typeof a === 'string')
    : [];
  const message = typeof record.message === 'string' ? record.message : '';
  if (record.pause === 'budget')
    return {
      kind: 'budget',
      step: step.stepName,
      message,
      approvers,
      scope: String(record.scope),
      scope_id: String(record.scope_id),
      // Every pause, the global budget's too (issue 16); at the run's own budget a grant and a
      // raise are the same.
      choices: ['grant', 'raise', 'stop'],
    };
  return {
    kind: 'approval',
    step: step.stepName,
    message,
    approvers,
    deadline: typeof record.deadline === 'string' ? record.deadline : null,
    choices: ['approve', 'reject'],
  };
}

export function projectView(project: Project): z.input<typeof projectSchema> {
  return {
    id: project.id,
    key: project.key,
    name: project.name,
    description: project.description,
    repository: project.repository,
    tracker_project: project.trackerProject,
    docs_space: project.docsSpace,
    status: project.status,
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
  };
}

export function tokenView(token: ApiToken): z.input<typeof tokenSchema> {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    prefix: token.tokenPrefix,
    created_by: token.createdBy,
    created_at: token.createdAt.toISOString(),
    expires_at: iso(token.expiresAt),
    last_used_at: iso(token.lastUsedAt),
    revoked_at: iso(token.revokedAt),
  };
}

/** The run that opened the pull request a round works on (its `parent_run` input). */
export function parentRunOf(run: Run): string | null {
  return typeof run.inputs.parent_run === 'string' && run.inputs.parent_run !== ''
    ? run.inputs.parent_run
    : null;
}
