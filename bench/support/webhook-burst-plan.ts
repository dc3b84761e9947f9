/**
 * The deliveries of bench/webhook-burst.ts: a fixed, seeded mix of what GitHub sends about the
 * pull requests aidev opened — comments that call aidev from someone with write access, from a
 * read-only user and from a bot, comments that do not call it, failing checks (two reports of
 * one failure among them), a few pull requests closed — shuffled, with redeliveries of earlier
 * ids slipped in a little after their first sending, as GitHub's "Redeliver" does.
 */
import { randomUUID } from 'node:crypto';
import { seeded } from './generated-repository.js';
import {
  checkRunCompleted,
  pullClosed,
  pullComment,
  type PullTarget,
} from '../../test/support/github-deliveries.js';

export const REPOSITORY = 'acme/shop';
export const WRITER = 'alice';
export const READER = 'mallory';
export const BOT = 'ci-helper[bot]';

/** What a delivery is, and so what acting on it may come to (see webhook-burst-checks.ts). */
export type DeliveryKind =
  | 'writer comment'
  | 'comment without mention'
  | 'read-only comment'
  | 'bot comment'
  | 'failing check'
  | 'failing check, older commit'
  | 'closed';

export interface PlannedDelivery {
  readonly id: string;
  readonly kind: DeliveryKind;
  readonly event: string;
  readonly pull: number;
  /** For checks: the failing commit (two reports of one failure on the head share it). */
  readonly headSha?: string;
  readonly payload: Record<string, unknown>;
}

export interface BurstPlan {
  /** Every distinct delivery, once. */
  readonly deliveries: readonly PlannedDelivery[];
  /** The order of sending: each distinct delivery, and the redeliveries among them. */
  readonly sends: readonly { readonly delivery: PlannedDelivery; readonly resend: boolean }[];
}

/**
 * `pulls` pull requests, 18 distinct deliveries each: 9 writer comments (8 and a close on the
 * last `closed` pull requests), 1 comment without a mention, 3 read-only, 2 bot, 3 failing
 * check runs: two reports of one failure on the pull request's head, one on the commit before
 * it (a check that finished after a push). Then `redeliveries` of them again, each 5 to 40
 * places later.
 */
export function planBurst(options: {
  pulls: number;
  closed: number;
  redeliveries: number;
  /** Each pull request's head and the commit before it, by number. */
  commits: ReadonlyMap<number, { readonly head: string; readonly older: string }>;
  seed?: number;
}): BurstPlan {
  const random = seeded(options.seed ?? 20_261_204);
  let nextId = 7_000_000;
  const deliveries: PlannedDelivery[] = [];
  const add = (d: Omit<PlannedDelivery, 'id'>) => deliveries.push({ id: randomUUID(), ...d });
  for (let pull = 1; pull <= options.pulls; pull++) {
    const target: PullTarget = { repository: REPOSITORY, number: pull };
    const comment = (kind: DeliveryKind, by: string, body: string) =>
      add({
        kind,
        event: 'issue_comment',
        pull,
        payload: pullComment(target, { id: nextId++, by, body }),
      });
    const closes = pull > options.pulls - options.closed;
    for (let i = 0; i < (closes ? 8 : 9); i++)
      comment('writer comment', WRITER, `@aidev please handle case ${i + 1} of #${pull}`);
    comment('comment without mention', WRITER, 'Looks reasonable so far.');
    for (let i = 0; i < 3; i++) comment('read-only comment', READER, '@aidev rewrite it all');
    for (let i = 0; i < 2; i++) comment('bot comment', BOT, '@aidev coverage dropped by 0.1 %');
    const commits = options.commits.get(pull);
    if (commits === undefined) throw new Error(`no commits for pull request #${pull}`);
    for (const older of [false, true, false]) {
      const headSha = older ? commits.older : commits.head;
      add({
        kind: older ? 'failing check, older commit' : 'failing check',
        event: 'check_run',
        pull,
        headSha,
        payload: checkRunCompleted(target, {
          id: nextId++,
          name: 'test',
          headSha,
          conclusion: 'failure',
        }),
      });
    }
    if (closes)
      add({ kind: 'closed', event: 'pull_request', pull, payload: pullClosed(target, false) });
  }
  // Fisher–Yates with the seeded generator.
  for (let i = deliveries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deliveries[i], deliveries[j]] = [
      deliveries[j] as PlannedDelivery,
      deliveries[i] as PlannedDelivery,
    ];
  }
  const keyed = deliveries.map((delivery, i) => ({ key: i, delivery, resend: false }));
  const chosen = new Set<number>();
  const span = Math.max(1, deliveries.length - 40);
  while (chosen.size < Math.min(options.redeliveries, span))
    chosen.add(Math.floor(random() * span));
  for (const i of chosen)
    keyed.push({
      key: i + 5 + random() * 35,
      delivery: deliveries[i] as PlannedDelivery,
      resend: true,
    });
  keyed.sort((a, b) => a.key - b.key);
  return { deliveries, sends: keyed.map(({ delivery, resend }) => ({ delivery, resend })) };
}
