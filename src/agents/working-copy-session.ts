import type { ActionRunner, AgentCall } from '../engine/runners.js';
import { StepError } from '../engine/step-errors.js';
import {
  applyPatch,
  diffSince,
  protectWorkingCopy,
  workingCopyOf,
  type ChangedPath,
  type WorkingCopy,
} from '../git/working-copy.js';
import { Workspace } from '../sandbox/workspace.js';
import type { JsonObject } from '../store/sql.js';
import { versionControl } from './repository-reads.js';
import { workspaceDirectory } from './run-workspaces.js';

/** The work so far, as saved with the conversation after every turn. */
export interface SavedChange extends JsonObject {
  /** The commit the working copy was checked out at. */
  base: string;
  /** `git diff --binary` since `base`, base64; null: nothing changed yet. */
  diff_base64: string | null;
}

export interface CheckedOut {
  readonly copy: WorkingCopy;
  readonly workspace: Workspace;
  /** The commit checked out. */
  readonly head: string;
}

/**
 * The step's working copy: a shallow clone of the run's branch through the version-control
 * plugin (a handful of requests whatever the repository's size), into the step's own
 * directory, protected before any command runs in it.
 */
export async function checkOutWorkingCopy(options: {
  actions: ActionRunner;
  call: AgentCall;
  repository: string;
  ref: string | undefined;
  dataDir: string;
}): Promise<CheckedOut> {
  const { call } = options;
  const directory = workspaceDirectory(options.dataDir, call.run.id, call.step, call.attempt);
  const out = (await versionControl(
    options.actions,
    call,
    'check-out',
  )('check_out', {
    repository: options.repository,
    ...(options.ref === undefined ? {} : { ref: options.ref }),
    directory,
  })) as { directory: string; head: string };
  const copy = workingCopyOf(out.directory);
  await protectWorkingCopy(copy);
  return { copy, workspace: await Workspace.open(out.directory), head: out.head };
}

/**
 * Puts the saved work back on a fresh working copy (a step resumed on this or another worker).
 * The branch does not move while the step runs, so the copy is at the saved base; if someone
 * moved it anyway, the work is applied on the new tip when it still applies.
 */
export async function restoreSavedChange(
  checkedOut: CheckedOut,
  saved: SavedChange | null | undefined,
): Promise<void> {
  if (saved?.diff_base64 == null) return;
  try {
    await applyPatch(checkedOut.copy, saved.diff_base64);
  } catch (error) {
    throw new StepError(
      `the work saved before this step was interrupted no longer applies to the branch (it was at ${saved.base.slice(0, 12)}, it is now at ${checkedOut.head.slice(0, 12)}); start the step again`,
      { code: 'patch_failed', cause: error },
    );
  }
}

/** The work so far, to save with the conversation. */
export async function saveChange(checkedOut: CheckedOut): Promise<SavedChange> {
  return {
    base: checkedOut.head,
    diff_base64: await diffSince(checkedOut.copy, checkedOut.head),
  };
}

const STATUS_WORDS: Record<string, string> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  T: 'changed type',
  C: 'copied',
};

/** git's status letter as a word (`M` → modified). */
export function statusWord(status: string): string {
  return STATUS_WORDS[status] ?? status;
}

/** What changed, path by path, for the pull request's description and the run log. */
export function describeChanges(changes: readonly ChangedPath[]): string {
  return changes
    .map(
      (c) =>
        `- \`${c.path}\` ${statusWord(c.status)}${c.from === undefined ? '' : ` from \`${c.from}\``}`,
    )
    .join('\n');
}
