import { z } from 'zod';
import type { AgentCall } from '../engine/runners.js';
import type { JsonObject } from '../store/sql.js';
import type { AgentDeps } from './agent-context.js';
import { changedFiles, testNote } from './development-agent.js';
import { develop } from './work-session.js';
import type { FinishSpec } from './development-tools.js';
import { describeChanges } from './working-copy-session.js';

const feedbackItem = z.looseObject({
  source_id: z.string().min(1),
  type: z.enum(['review', 'comment', 'failing_check']),
  author: z.string(),
  body: z.string().optional(),
  path: z.string().optional(),
  line: z.number().optional(),
  commentId: z.number().optional(),
  inReview: z.boolean().optional(),
  reviewId: z.number().optional(),
  state: z.string().optional(),
  name: z.string().optional(),
  conclusion: z.string().optional(),
  url: z.string().optional(),
});
type FeedbackItem = z.output<typeof feedbackItem>;

const check = z.looseObject({
  name: z.string(),
  conclusion: z.string(),
  url: z.string().optional(),
  log_excerpt: z.string().optional(),
});

export const addressInput = z.looseObject({
  mode: z.literal('address_feedback'),
  task: z.looseObject({ key: z.string(), title: z.string(), description: z.string() }),
  summary: z.string(),
  feedback: z.array(feedbackItem).min(1, 'expected at least one piece of feedback'),
  checks: z.array(check).default([]),
  repository: z.string().min(1),
  branch: z.string().min(1),
  pull_request: z.looseObject({ url: z.string(), number: z.number().int().positive() }),
  round: z.number().int().positive(),
});
type AddressInput = z.output<typeof addressInput>;

/** A line comment of a review, fetched with the review (GitHub sends them apart). */
const reviewComments = z.object({
  comments: z.array(
    z.looseObject({
      id: z.number(),
      author: z.string(),
      body: z.string(),
      path: z.string().nullable().optional(),
      line: z.number().nullable().optional(),
    }),
  ),
});

/** A comment the agent can answer in its own thread (a line comment). */
interface Replyable {
  readonly id: string;
  readonly commentId: number;
}

/**
 * The development agent's address_feedback mode: a round of the pull-request loop. It resumes
 * the task on the pull request's branch with what was done, the feedback (with each review's
 * line comments) and the failing checks' logs; the result is a new change (or none, when the
 * feedback only asked a question), a reply for each line comment and a comment for the pull
 * request.
 */
export async function addressFeedback(
  deps: AgentDeps,
  call: AgentCall,
  input: AddressInput,
): Promise<JsonObject> {
  // Each piece of feedback is shown with a label (F1, F2, …) the agent replies by: short,
  // and the same in every attempt and every database (ids differ, the order does not).
  const items = [...input.feedback, ...(await linesOfReviews(deps, call, input))].map(
    (item, index) => ({ ...item, label: `F${index + 1}` }),
  );
  const replyable: Replyable[] = items.flatMap((item) =>
    item.inReview === true && item.commentId !== undefined
      ? [{ id: item.label, commentId: item.commentId }]
      : [],
  );
  const work = await develop(deps, call, {
    input,
    finish: finishFor(items.map((item) => item.label)),
    firstMessage: () =>
      deps.prompts.render('address_feedback', {
        task: input.task,
        summary: input.summary,
        feedback: items.map(describeItem).join('\n\n'),
        checks: describeChecks(input.checks),
        branch: input.branch,
        round: input.round,
      }),
    nudge:
      'Go on with the feedback using the tools. When it is addressed and the tests pass, call finish with your replies.',
  });
  const { summary, change, changed, tests } = work;
  const answered = new Map(summary.replies.map((r) => [r.to, r.body]));
  const diff = change.diff_base64 !== null && changed.length > 0 ? change.diff_base64 : null;
  return {
    work: {
      patch: diff === null ? null : { base: change.base, diff_base64: diff },
      changed_files: changedFiles(changed),
      commit_title: summary.commit_title ?? `address review feedback (round ${input.round})`,
      headline: summary.headline,
      comment: [
        summary.comment,
        ...(diff === null
          ? []
          : [`**Files changed**\n${describeChanges(changed)}`, testNote(tests)]),
        // Answers to feedback that has no thread of its own (a review, a PR comment) go here.
        ...items
          .filter((item) => !replyable.some((r) => r.id === item.label))
          .flatMap((item) => {
            const body = answered.get(item.label);
            return body === undefined ? [] : [`> ${quote(item)}\n\n${body}`];
          }),
      ].join('\n\n'),
      replies: replyable.flatMap((r) => {
        const body = answered.get(r.id);
        return body === undefined ? [] : [{ body, in_reply_to: r.commentId }];
      }),
      // Whoever reviewed is asked to review again.
      reviewers: [
        ...new Set(
          items.filter((i) => i.type === 'review' || i.inReview === true).map((i) => i.author),
        ),
      ],
      tests,
      turns: work.turns,
      cost_usd: work.costUsd,
    },
  };
}

/** `finish` for a round: replies by id (only to feedback that exists), a comment, a headline. */
function finishFor(ids: readonly string[]) {
  const spec: FinishSpec<{
    headline: string;
    comment: string;
    commit_title?: string | undefined;
    replies: { to: string; body: string }[];
    failing_tests_reason?: string | undefined;
  }> = {
    description:
      "Finish the round. If you changed files, aidev first runs the repository's test command on the working copy: if the tests fail you get their output and go on (or, when the failure is not caused by your change and you cannot fix it, call finish again with failing_tests_reason). Give a one-line headline for the team's channel, a comment for the pull request (what you changed and why, or why you changed nothing), a commit title if you changed files (imperative, under 70 characters), and replies: one per piece of feedback you answer, by its label in brackets (F1, F2, …).",
    schema: z.strictObject({
      headline: z.string().min(1).max(200),
      comment: z.string().min(1).max(20_000),
      commit_title: z.string().min(1).max(120).optional(),
      replies: z
        .array(
          z.strictObject({
            to: z.string().refine((id) => ids.includes(id), {
              error: `expected the label of a piece of feedback, as in brackets: ${ids.join(', ')}`,
            }),
            body: z.string().min(1).max(20_000),
          }),
        )
        .default([]),
      failing_tests_reason: z.string().min(1).optional(),
    }),
    requireChange: false,
  };
  return spec;
}

/** The line comments of each review in the feedback, as feedback of their own. */
async function linesOfReviews(
  deps: AgentDeps,
  call: AgentCall,
  input: AddressInput,
): Promise<FeedbackItem[]> {
  const lines: FeedbackItem[] = [];
  const known = new Set(input.feedback.map((f) => f.source_id));
  for (const review of input.feedback.filter((f) => f.reviewId !== undefined)) {
    const answer = reviewComments.parse(
      await deps.actions.run({
        ...call,
        plugin: 'version_control',
        action: 'list_review_comments',
        input: {
          repository: input.repository,
          number: input.pull_request.number,
          review_id: review.reviewId ?? 0,
        },
      }),
    );
    for (const comment of answer.comments) {
      const id = `comment:${comment.id}`;
      if (known.has(id)) continue;
      known.add(id);
      lines.push({
        source_id: id,
        type: 'comment',
        author: comment.author,
        body: comment.body,
        ...(comment.path == null ? {} : { path: comment.path }),
        ...(comment.line == null ? {} : { line: comment.line }),
        commentId: comment.id,
        inReview: true,
      });
    }
  }
  return lines;
}

function describeItem(item: FeedbackItem & { label: string }): string {
  const where =
    item.path === undefined
      ? ''
      : ` on ${item.path}${item.line === undefined ? '' : ` line ${item.line}`}`;
  switch (item.type) {
    case 'review':
      return `[${item.label}] ${item.author} reviewed${item.state === 'changes_requested' ? ' and requested changes' : ''}:\n${item.body ?? ''}`;
    case 'comment':
      return `[${item.label}] ${item.author} commented${where}${item.inReview === true ? ' (a line comment: your reply goes in its thread)' : ''}:\n${item.body ?? ''}`;
    case 'failing_check':
      return `[${item.label}] the check ${item.name ?? item.author} ended ${item.conclusion ?? 'failing'} on the branch's head commit.`;
  }
}

/** The failing checks' logs: the part around the first error, as the service keeps it. */
function describeChecks(checks: readonly z.output<typeof check>[]): string {
  if (checks.length === 0) return '';
  return [
    'The failing checks, with the end of each log:',
    ...checks.map(
      (c) =>
        `${c.name} (${c.conclusion})${c.url === undefined ? '' : ` ${c.url}`}:\n\`\`\`\n${c.log_excerpt ?? '(no log)'}\n\`\`\``,
    ),
  ].join('\n\n');
}

/** The first line of what someone wrote, to quote above the answer. */
function quote(item: FeedbackItem): string {
  const first = (item.body ?? item.name ?? '').split('\n')[0] ?? '';
  return `${item.author}: ${first.length > 200 ? `${first.slice(0, 200)}…` : first}`;
}
