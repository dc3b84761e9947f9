import type { RoundsLine } from '../../blocks/run-message.js';
import { parseUsd, type Units } from '../costs/money.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { Run } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';

/** A round of the pull-request loop (src/pr-loop), and the run whose thread tells it. */
export interface RoundOfRun {
  readonly number: number;
  readonly pullUrl: string;
  /** The run that opened the pull request: the round is told in its thread. */
  readonly parentRunId: string;
}

/** The round `run` works on, if it is one. */
export async function roundOf(store: Store, run: Run): Promise<RoundOfRun | undefined> {
  if (run.trigger !== 'feedback') return undefined;
  const round = await store.prRounds.byRun(run.id);
  const owned = round === null ? null : await store.pullRequests.byUrl(round.pullUrl);
  if (round === null || owned === null) return undefined;
  return { number: round.number, pullUrl: round.pullUrl, parentRunId: owned.runId };
}

const FULL_SHA = /\b([0-9a-f]{7})[0-9a-f]{33}\b/g;

/**
 * What a finished round did, in a few words: `pushed abc1234` or `no new commit`. The
 * address-feedback workflow says it in its `pushed` output; a commit's `sha` is the fallback.
 * Outside text (a step's output): escape it where it is shown.
 */
export function roundResult(steps: readonly RunStep[]): string {
  const outputs = steps
    .filter((s) => s.status === 'succeeded')
    .map((s) => (s.outputs ?? {}) as { pushed?: unknown; sha?: unknown });
  const pushed = outputs.map((o) => o.pushed).find((p) => typeof p === 'string');
  if (typeof pushed === 'string' && pushed !== '') return pushed.replace(FULL_SHA, '$1');
  const sha = outputs.map((o) => o.sha).find((s) => typeof s === 'string' && /^[0-9a-f]+$/.test(s));
  return typeof sha === 'string' ? `pushed ${sha.slice(0, 7)}` : 'no new commit';
}

/**
 * The rounds of the pull request a run opened last (for its parent message), and what every
 * round of its pull requests cost (the run's own cost does not include it).
 */
export async function roundsOf(
  store: Store,
  runId: string,
  maxRounds: number,
): Promise<{ line?: RoundsLine; costUnits: Units }> {
  const pulls = await store.pullRequests.forRun(runId);
  let costUnits = 0n;
  let rounds: Awaited<ReturnType<Store['prRounds']['forPull']>> = [];
  for (const pull of pulls) {
    rounds = await store.prRounds.forPull(pull.url);
    for (const round of rounds)
      if (round.runId !== null) costUnits += parseUsd(await store.costs.totalForRun(round.runId));
  }
  const last = rounds.at(-1);
  if (last === undefined) return { costUnits };
  return {
    costUnits,
    line: { count: last.number, max: maxRounds, last: await lastResult(store, last) },
  };
}

async function lastResult(
  store: Store,
  round: { number: number; runId: string | null; status: Run['status'] | null },
): Promise<string> {
  switch (round.status) {
    case 'succeeded':
      return round.runId === null ? 'done' : roundResult(await store.steps.listForRun(round.runId));
    case 'failed':
    case 'cancelled':
      return `round ${round.number} ${round.status}`;
    default:
      return `round ${round.number} under way`;
  }
}
