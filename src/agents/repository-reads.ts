import type { AgentCall } from '../engine/runners.js';
import type { ActionRunner } from '../engine/runners.js';
import type { TreeFile } from './codebase-analysis.js';

const READ_BATCH = 100;

/** Calls a version-control action for an agent, under the step's identity. */
export function versionControl(actions: ActionRunner, call: AgentCall, suffix: string) {
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
  call: AgentCall,
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
  call: AgentCall,
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
