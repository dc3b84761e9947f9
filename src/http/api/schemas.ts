import { z } from 'zod';
import { RUN_STATUSES } from '../../store/repositories/runs.js';
import { STEP_KINDS, STEP_STATUSES } from '../../store/repositories/run-steps.js';
import { TOKEN_ROLES } from '../../security/api-tokens.js';
import { decodeCursor } from '../../store/sql.js';

/** Shapes of the API's answers, for the OpenAPI document (the views produce them). */

const at = z.iso.datetime({ offset: true });
const when = at.nullable();
const json = z.unknown();

export const problemSchema = z
  .object({
    type: z.string().describe('a stable URI naming the kind of problem'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('what went wrong and what to do, for people'),
    errors: z
      .array(
        z.object({
          path: z.string().describe('the field, e.g. inputs.task_key'),
          message: z.string(),
          in: z.enum(['body', 'query', 'path', 'header']).optional(),
          where: z.string().optional().describe('file:line:col, for a workflow file'),
        }),
      )
      .optional(),
  })
  .meta({ id: 'Problem' });

export const runSchema = z
  .object({
    id: z.uuid(),
    workflow: z.string(),
    workflow_version: z.string(),
    status: z.enum(RUN_STATUSES),
    waiting_for: z.enum(['approval', 'budget']).nullable(),
    inputs: z.record(z.string(), json),
    error: json,
    channel_id: z.string().nullable(),
    user_id: z.string().nullable(),
    project_id: z.string().nullable(),
    task_key: z.string().nullable(),
    trigger: z.enum(['slack', 'cli', 'api', 'schedule', 'feedback', 'tracker']),
    cancel_requested_at: when,
    deadline_at: when.describe(
      'when the run’s time runs out; it counts working time only: while the run waits for a decision its clock is stopped, and this moves on with the wait',
    ),
    waiting_since: when.describe('when the current wait for a decision began'),
    waited_ms: z
      .number()
      .int()
      .min(0)
      .describe('time waited for decisions so far, not counted against the run’s timeout'),
    created_at: at,
    started_at: when,
    finished_at: when,
    updated_at: at,
  })
  .meta({ id: 'Run' });

export const stepSchema = z
  .object({
    name: z.string(),
    index: z.number().int(),
    kind: z.enum(STEP_KINDS),
    status: z.enum(STEP_STATUSES),
    attempt: z.number().int(),
    outputs: json,
    error: json,
    skip_reason: z.string().nullable(),
    started_at: when,
    finished_at: when,
  })
  .meta({ id: 'Step' });

export const eventSchema = z
  .object({
    id: z.number().int(),
    type: z.string(),
    step: z.string().nullable(),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    data: z.record(z.string(), json),
    at,
  })
  .meta({ id: 'RunEvent' });

export const costEntrySchema = z.object({
  step: z.string().nullable(),
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  cache_write_tokens: z.number().int(),
  cache_read_tokens: z.number().int(),
  usd: z.string().describe('dollars, as a decimal string'),
  at,
});

export const decisionSchema = z
  .object({
    kind: z.enum(['approval', 'budget']),
    step: z.string(),
    message: z.string(),
    approvers: z.array(z.string()),
    deadline: when.optional(),
    scope: z
      .string()
      .optional()
      .describe('the budget that paused the run: run, channel, user, global'),
    scope_id: z.string().optional(),
    choices: z
      .array(z.enum(['approve', 'reject', 'grant', 'raise', 'stop']))
      .describe(
        'budget pauses: grant (this run spends more), raise (the budget that paused it), stop',
      ),
  })
  .meta({ id: 'PendingDecision' });

export const roundSchema = z
  .object({
    number: z.number().int().describe('1 for the first round'),
    run_id: z.string().nullable().describe('the run of the address-feedback workflow'),
    status: z.string().nullable().describe("its run's status (null: not started yet)"),
    started_at: z.string().describe('ISO 8601'),
    trigger: z.string().describe('what it took up, in words: "review by alice, 2 comments by bob"'),
    feedback: z.array(
      z.object({
        source_id: z.string().describe('review:<id>, comment:<id>, check:<sha>, slack:<…>'),
        kind: z.enum(['review', 'comment', 'failing_check']),
        author: z.string(),
        origin: z.string().describe('github:<delivery>, slack:<channel>, cli, api'),
      }),
    ),
    cost_usd: z.string(),
  })
  .meta({ id: 'FixRound' });

export const pullRequestSchema = z
  .object({
    url: z.string().describe('its web address'),
    repository: z.string(),
    number: z.number().int(),
    branch: z.string(),
    state: z.enum(['open', 'closed', 'merged']),
    step: z.string().describe('the step that opened it'),
    opened_at: z.string().describe('ISO 8601'),
    rounds: z.array(roundSchema).describe('the rounds of fixes aidev made for feedback on it'),
    waiting_feedback: z
      .number()
      .int()
      .describe('feedback waiting for the next round (or for a person, once handed over)'),
    handed_over_at: z
      .string()
      .nullable()
      .describe('when aidev used up its rounds (pull_requests.max_fix_rounds) and asked a person'),
  })
  .meta({ id: 'PullRequest' });

export const runDetailSchema = runSchema
  .extend({
    pull_requests: z.array(pullRequestSchema).describe('the pull requests this run opened'),
    round_of: z
      .object({ pull_request: z.string(), number: z.number().int(), run_id: z.string() })
      .nullable()
      .describe(
        'if this run is a round of fixes: the pull request, the round, the run that opened it',
      ),
    steps: z.array(stepSchema),
    events: z.array(eventSchema),
    cost: z.object({
      total_usd: z.string().describe("this run's own cost"),
      with_rounds_usd: z
        .string()
        .describe('this run and the rounds of fixes on its pull requests: the whole work'),
      entries: z.array(costEntrySchema),
    }),
    decision: decisionSchema.nullable().describe('what the run waits for, if it waits'),
  })
  .meta({ id: 'RunDetail' });

export function pageOf<T extends z.ZodType>(item: T, id: string) {
  return z
    .object({
      items: z.array(item),
      next_cursor: z.string().nullable().describe('give it as `cursor` for the next page'),
    })
    .meta({ id });
}

/**
 * Longest id or name a client may pass (a channel, user, workflow, project, task key, step):
 * far above any real one, and far below what a database index can hold (a longer key is a
 * server fault there, not a refusal). NUL bytes are refused for every field by `guardInput`.
 */
export const MAX_ID_LENGTH = 200;

/** An id or name given by a client: 1 to `MAX_ID_LENGTH` characters. */
export const idText = z.string().min(1).max(MAX_ID_LENGTH);

/** `limit` and `cursor`, shared by the paginated lists. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).optional().describe('items per page (default 50)'),
  cursor: z
    .string()
    .max(MAX_ID_LENGTH)
    .refine(
      (value) => {
        try {
          decodeCursor(value);
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected a next_cursor returned by a previous page' },
    )
    .optional(),
};

export const projectSchema = z
  .object({
    id: z.uuid(),
    key: z.string(),
    name: z.string(),
    description: z.string(),
    repository: z.string().nullable(),
    tracker_project: z.string().nullable(),
    docs_space: z.string().nullable(),
    status: z.enum(['active', 'archived']),
    created_at: at,
    updated_at: at,
  })
  .meta({ id: 'Project' });

export const tokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    role: z.enum(TOKEN_ROLES),
    prefix: z.string().describe('the first characters of the token, to recognise it'),
    created_by: z.string().nullable(),
    created_at: at,
    expires_at: when,
    last_used_at: when,
    revoked_at: when,
  })
  .meta({ id: 'ApiToken' });

/** Path parameter `id` of a run (any text: an unknown id is a 404, not a 422). */
export const idParams = z.strictObject({ id: idText });

/** `Idempotency-Key`: printable ASCII, as long as a UUID or a hash needs and then some. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, {
      error: 'expected 1 to 255 printable ASCII characters without spaces, such as a UUID',
    })
    .optional()
    .describe('the same key (from the same token) returns the first run instead of a new one'),
});
