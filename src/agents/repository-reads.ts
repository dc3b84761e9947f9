import type { ActionCall, ActionRunner } from '../engine/runners.js';
import type { TreeFile } from './codebase-analysis.js';

const READ_BATCH = 100;

/** Who reads: an agent's step, or aidev itself on behalf of a run (its pull request's CI). */
export type ReadingCall = Omit<ActionCall, 'plugin' | 'action' | 'input'>;

/** Calls a version-control action for an agent, under the step's identity. */
export function versionControl(actions: ActionRunner, call: ReadingCall, suffix: string) {
  return (action: string, input: Record<string, unknown>) =>
    actions.run({
      run: call.run,
      step: call.step,
      attempt: call.attempt,
      idempotencyKey: `${call.idempotencyKey}:${suffix}`,
      signal: call.signal,
      log: call.log,
      plugin: 'version_control',
      action,
      input: input as never,
    });
}

export async function fileTree(
  actions: ActionRunner,
  call: ReadingCall,
  repository: string,
  ref?: string,
): Promise<TreeFile[]> {
  const result = (await versionControl(
    actions,
    call,
    'tree',
  )('get_file_tree', {
    repository,
    ...(ref === undefined ? {} : { ref }),
  })) as { files: TreeFile[] };
  return result.files;
}

export async function readFiles(
  actions: ActionRunner,
  call: ReadingCall,
  repository: string,
  paths: readonly string[],
  ref?: string,
): Promise<{ path: string; content: string }[]> {
  const read: { path: string; content: string }[] = [];
  for (let i = 0; i < paths.length; i += READ_BATCH) {
    const result = (await versionControl(
      actions,
      call,
      'read',
    )('read_files', {
      repository,
      paths: paths.slice(i, i + READ_BATCH),
      ...(ref === undefined ? {} : { ref }),
    })) as { files: { path: string; content: string }[] };
    read.push(...result.files);
  }
  return read;
}
