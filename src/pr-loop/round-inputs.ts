import type { QueuedFeedback } from '../store/repositories/pr-rounds.js';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { Run } from '../store/repositories/runs.js';
import type { JsonObject, JsonValue } from '../store/sql.js';

type Obj = Record<string, JsonValue>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The first output named `field` among the succeeded steps of a run (task, implementation). */
function outputOf(steps: readonly RunStep[], field: string): Obj | undefined {
  for (const step of steps) {
    if (step.status !== 'succeeded' || !isObj(step.outputs)) continue;
    const value = step.outputs[field];
    if (isObj(value)) return value;
  }
  return undefined;
}

/**
 * The inputs of a round (workflows/address-feedback.yaml): the pull request and its branch,
 * the original task, what the run that opened it did, and the feedback the round takes up.
 */
export function roundInputs(options: {
  owned: OwnedPullRequest;
  parent: Run;
  steps: readonly RunStep[];
  round: number;
  maxRounds: number;
  feedback: readonly QueuedFeedback[];
  /** The run's thread in its channel (Slack's parent message), for the round's messages. */
  thread?: string | null;
}): JsonObject {
  const { owned, parent, steps } = options;
  const task = outputOf(steps, 'task') ?? {
    key: parent.taskKey ?? '',
    title: '',
    description: '',
  };
  const implementation = outputOf(steps, 'implementation');
  const summary =
    implementation === undefined
      ? '(no summary: the run that opened the pull request did not record one)'
      : `${text(implementation.pr_title)}\n\n${text(implementation.pr_description)}`.trim();
  return {
    repository: owned.repository,
    branch: owned.branch,
    pull_request: { url: owned.url, number: owned.number },
    task,
    summary,
    round: options.round,
    max_rounds: options.maxRounds,
    feedback: options.feedback.map((f) => ({
      ...f.item,
      source_id: f.sourceId,
      type: f.kind,
      author: f.author,
    })),
    channel: text(parent.inputs.channel),
    thread: options.thread ?? '',
    parent_run: parent.id,
  };
}
