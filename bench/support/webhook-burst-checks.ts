/**
 * What bench/webhook-burst.ts reads back after a burst, and the invariants it checks: every
 * delivery answered (202 the first time, 200 again), recorded and acted on once, with the
 * outcome its kind allows; each piece of feedback queued once; at most `max_fix_rounds` rounds
 * per pull request, one at a time.
 */
import type { Database } from '../../src/store/database.js';
import type { DeliveryKind, PlannedDelivery } from './webhook-burst-plan.js';

export interface Answer {
  readonly delivery: PlannedDelivery;
  readonly resend: boolean;
  /** 0: no HTTP answer at all (the connection failed). */
  readonly status: number;
  readonly ms: number;
}

export interface Violation {
  readonly invariant: string;
  readonly count: number;
  /** The first few cases, for the report. */
  readonly examples: readonly string[];
}

interface DeliveryRow {
  delivery_id: string;
  outcome: string | null;
  received_at: Date;
  handled_at: Date | null;
}
interface FeedbackRow {
  pull_url: string;
  source_id: string;
  origin: string;
}
export interface RoundRow {
  pull_url: string;
  number: number;
  run_id: string | null;
  started_at: Date;
  status: string | null;
  created_at: Date | null;
  finished_at: Date | null;
  /** The run's error, if it failed (what a failed round says). */
  error: unknown;
}

const TERMINAL = ['succeeded', 'failed', 'cancelled'];

/** Outcomes (pr-loop.ts `describe`) that mean the feedback was queued by this delivery. */
const QUEUED =
  /^(started round \d+|queued for the round after round \d+|queued, but the \d+ rounds are used up: a person was asked( before)?|queued)$/;
const PR_CLOSED = 'ignored: the pull request is closed';

/** The outcomes each kind of delivery may come to, whatever order the burst arrives in. */
const ALLOWED: Record<DeliveryKind, (outcome: string) => boolean> = {
  'writer comment': (o) => QUEUED.test(o) || o === PR_CLOSED,
  // Two reports of one failing commit: the second is already queued.
  'failing check': (o) => QUEUED.test(o) || o === 'already queued' || o === PR_CLOSED,
  // A check that finished after a newer push: nothing to fix on the commit it ran on.
  'failing check, older commit': (o) =>
    /^ignored: the check test failed on [0-9a-f]{7}, which is no longer the head of pull request #\d+ \([0-9a-f]{7} is\)$/.test(
      o,
    ) || o === PR_CLOSED,
  'read-only comment': (o) => o.startsWith('ignored: mallory may not ask aidev') || o === PR_CLOSED,
  'bot comment': (o) => o.startsWith('ignored: written by another bot'),
  'comment without mention': (o) => o === 'ignored: a comment that does not mention aidev',
  closed: (o) => o === 'the pull request was closed: its loop has ended',
};

/** A short name for an outcome, for the table. */
export function outcomeLabel(outcome: string | null): string {
  if (outcome === null) return 'not handled';
  if (outcome.startsWith('started round')) return 'started a round';
  if (outcome.startsWith('queued for the round after')) return 'queued for the next round';
  if (outcome.startsWith('queued, but')) return 'queued, rounds used up';
  if (outcome === 'queued' || outcome === 'already queued') return outcome;
  if (outcome === PR_CLOSED) return 'ignored: pull request closed';
  if (outcome.includes('may not ask aidev')) return 'refused: read access';
  if (outcome.startsWith('ignored: written by another bot')) return 'ignored: a bot';
  if (outcome.startsWith('ignored: a comment that does not mention')) return 'ignored: no mention';
  if (outcome.startsWith('the pull request was')) return 'loop ended';
  if (outcome.includes('which is no longer the head of')) return 'ignored: not the head commit';
  return `other: ${outcome.slice(0, 60)}`;
}

export async function readBack(db: Database, ids: readonly string[]) {
  const deliveries = await db.query<DeliveryRow>(
    `SELECT delivery_id, outcome, received_at, handled_at FROM webhook_deliveries
     WHERE source = 'github' AND delivery_id = ANY($1::text[])`,
    [ids],
  );
  const feedback = await db.query<FeedbackRow>(
    'SELECT pull_url, source_id, origin FROM pr_feedback',
  );
  const rounds = await db.query<RoundRow>(
    `SELECT r.pull_url, r.number, r.run_id, r.started_at, runs.status, runs.created_at,
            runs.finished_at, runs.error
     FROM pr_rounds r LEFT JOIN runs ON runs.id = r.run_id ORDER BY r.pull_url, r.number`,
  );
  return { deliveries: deliveries.rows, feedback: feedback.rows, rounds: rounds.rows };
}

export type ReadBack = Awaited<ReturnType<typeof readBack>>;

/** Whether every pull request's loop has come to rest: no round running, none left waiting. */
export async function loopsAtRest(db: Database, maxRounds: number): Promise<boolean> {
  const { rows } = await db.query<{ busy: number; waiting: number }>(
    `SELECT
       (SELECT count(*)::int FROM pr_rounds r LEFT JOIN runs ON runs.id = r.run_id
        WHERE r.run_id IS NULL OR runs.status <> ALL($2::text[])) AS busy,
       (SELECT count(*)::int FROM pull_requests p
        WHERE p.state = 'open'
          AND EXISTS (SELECT 1 FROM pr_feedback f WHERE f.pull_url = p.url AND f.round_number IS NULL)
          AND (SELECT count(*) FROM pr_rounds r WHERE r.pull_url = p.url) < $1) AS waiting`,
    [maxRounds, TERMINAL],
  );
  return rows[0]?.busy === 0 && rows[0].waiting === 0;
}

/** Every invariant, with what broke it (empty: none broke). */
export function violations(options: {
  answers: readonly Answer[];
  planned: readonly PlannedDelivery[];
  read: ReadBack;
  /** How many times aidev's log says it acted on each delivery. */
  actedOn: ReadonlyMap<string, number>;
  maxRounds: number;
}): Violation[] {
  const { answers, planned, read, actedOn, maxRounds } = options;
  const found: Violation[] = [];
  const check = (invariant: string, cases: readonly string[]) =>
    found.push({ invariant, count: cases.length, examples: cases.slice(0, 3) });
  const byId = new Map(read.deliveries.map((d) => [d.delivery_id, d]));

  check(
    'each answer is 202 (first sending) or 200 (a redelivery)',
    answers
      .filter((a) => a.status !== 202 && a.status !== 200)
      .map((a) => `${a.delivery.id}: ${a.status}`),
  );
  const accepted = answers.filter((a) => a.status === 202).map((a) => a.delivery.id);
  check(
    'each distinct delivery answered 202 exactly once',
    planned
      .filter((d) => accepted.filter((id) => id === d.id).length !== 1)
      .map((d) => `${d.id}: ${accepted.filter((id) => id === d.id).length} × 202`),
  );
  check(
    'each delivery recorded and handled',
    planned
      .filter((d) => byId.get(d.id)?.handled_at == null)
      .map((d) => `${d.id} (${d.kind}): ${byId.has(d.id) ? 'not handled' : 'not recorded'}`),
  );
  check(
    "each delivery acted on once (aidev's log)",
    planned
      .filter((d) => (actedOn.get(d.id) ?? 0) !== 1)
      .map((d) => `${d.id}: ${actedOn.get(d.id) ?? 0} times`),
  );
  check(
    'each outcome is one its kind allows',
    planned.flatMap((d) => {
      const outcome = byId.get(d.id)?.outcome;
      return outcome == null || ALLOWED[d.kind](outcome)
        ? []
        : [`${d.kind} on #${d.pull}: ${outcome}`];
    }),
  );
  // Feedback: one row per delivery that says it queued some, none from any other.
  const origins = new Map<string, number>();
  for (const f of read.feedback) origins.set(f.origin, (origins.get(f.origin) ?? 0) + 1);
  check(
    'feedback queued once, by the delivery that says so',
    planned.flatMap((d) => {
      const rows = origins.get(`github:${d.id}`) ?? 0;
      const queued = QUEUED.test(byId.get(d.id)?.outcome ?? '') ? 1 : 0;
      return rows === queued
        ? []
        : [`${d.kind} on #${d.pull}: ${rows} row(s), outcome queued ${queued}`];
    }),
  );
  const perPull = new Map<string, RoundRow[]>();
  for (const r of read.rounds) perPull.set(r.pull_url, [...(perPull.get(r.pull_url) ?? []), r]);
  check(
    `at most max_fix_rounds (${maxRounds}) rounds per pull request`,
    [...perPull]
      .filter(([, rs]) => rs.length > maxRounds)
      .map(([url, rs]) => `${url}: ${rs.length}`),
  );
  check(
    'rounds of a pull request one at a time',
    [...perPull].flatMap(([url, rs]) => overlaps(url, rs)),
  );
  return found;
}

/** Round n+1's run created after round n's run finished. */
function overlaps(url: string, rounds: readonly RoundRow[]): string[] {
  const cases: string[] = [];
  rounds.forEach((round, i) => {
    if (round.number !== i + 1) cases.push(`${url}: round ${round.number} is the ${i + 1}th`);
    const previous = rounds[i - 1];
    if (previous === undefined) return;
    const finished = previous.finished_at;
    if (finished === null || !TERMINAL.includes(previous.status ?? '')) {
      cases.push(
        `${url}: round ${round.number} began while round ${previous.number} was ${previous.status ?? 'not started'}`,
      );
      return;
    }
    // The run's creation, not pr_rounds.started_at: that is the start of the transaction that
    // recorded the round, which may have begun (waiting on the lock) before the previous run ended.
    if (round.created_at !== null && round.created_at < finished)
      cases.push(
        `${url}: round ${round.number}'s run was created at ${round.created_at.toISOString()}, before round ${previous.number}'s finished at ${finished.toISOString()}`,
      );
  });
  return cases;
}
