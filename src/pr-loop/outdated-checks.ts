import type { ActionCall, ActionRunner } from '../engine/runners.js';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import type { NewFeedback } from './pr-loop.js';

type LoopCall = Omit<ActionCall, 'plugin' | 'action' | 'input'>;

/**
 * The feedback that is still about the pull request as it is: a failing check of a commit
 * that is no longer its head is dropped (its pipeline ended after a newer push, or a late
 * delivery of an old one came in), with the reason. GitLab's Pipeline Hook names the merge
 * request but not its head, so the head is asked of the version-control plugin, once, and only
 * when a failing check is among the feedback; a plugin that does not say its pull requests'
 * head keeps every check.
 */
export async function withoutOutdatedChecks(
  actions: ActionRunner,
  call: LoopCall,
  owned: OwnedPullRequest,
  pieces: readonly NewFeedback[],
): Promise<{ kept: readonly NewFeedback[]; reasons: readonly string[] }> {
  const shaOf = (piece: NewFeedback) =>
    piece.kind === 'failing_check' && typeof piece.item.headSha === 'string'
      ? piece.item.headSha
      : '';
  if (!pieces.some((piece) => shaOf(piece) !== '')) return { kept: pieces, reasons: [] };
  const answer = (await actions.run({
    ...call,
    plugin: 'version_control',
    action: 'find_pull_request',
    input: { repository: owned.repository, branch: owned.branch },
  })) as { pull_request?: { number?: unknown; head_sha?: unknown } | null };
  const found = answer.pull_request;
  const head =
    found?.number === owned.number && typeof found.head_sha === 'string' ? found.head_sha : '';
  if (head === '') return { kept: pieces, reasons: [] };
  const reasons: string[] = [];
  const kept = pieces.filter((piece) => {
    const sha = shaOf(piece);
    if (sha === '' || sha === head) return true;
    const name = typeof piece.item.name === 'string' ? piece.item.name : piece.author;
    reasons.push(
      `the check ${name} failed on ${sha.slice(0, 7)}, which is no longer the head of pull request #${owned.number} (${head.slice(0, 7)} is)`,
    );
    return false;
  });
  return { kept, reasons };
}
