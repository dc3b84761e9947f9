import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import type { AgentCall } from '../engine/runners.js';
import type { ActionRunner } from '../engine/runners.js';
import { Workspace } from '../sandbox/workspace.js';
import { isIgnored, type TreeFile } from './codebase-analysis.js';

/** Files larger than this are left out of a working copy (generated data, binaries). */
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 20_000;
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

/** A working copy and the digest of every file as it came from the repository. */
export interface RepositoryCopy {
  readonly workspace: Workspace;
  readonly original: ReadonlyMap<string, string>;
}

export const digest = (content: string): string =>
  createHash('sha256').update(content).digest('hex');

/**
 * Copies a repository at `ref` into a fresh directory through the version-control plugin
 * (so it works the same for GitHub and the local git backend): the repository's own text
 * files, without vendored or generated folders and without files over 1 MiB.
 */
export async function copyRepository(options: {
  actions: ActionRunner;
  call: AgentCall;
  repository: string;
  ref: string | undefined;
  directory: string;
}): Promise<RepositoryCopy> {
  const { actions, call, repository, ref, directory } = options;
  const tree = (await fileTree(actions, call, repository, ref)).filter(
    (f) => !isIgnored(f.path) && f.size <= MAX_FILE_BYTES,
  );
  if (tree.length > MAX_FILES)
    throw new StepError(
      `${repository} has ${tree.length} files to copy, more than the ${MAX_FILES} a working copy holds`,
      { code: 'repository_too_large' },
    );
  await fs.rm(directory, { recursive: true, force: true });
  await fs.mkdir(directory, { recursive: true });
  const workspace = await Workspace.open(directory);
  const original = new Map<string, string>();
  const files = await readFiles(
    actions,
    call,
    repository,
    tree.map((f) => f.path),
    ref,
  );
  for (const file of files) {
    if (file.content.includes('\0')) continue;
    await workspace.write(file.path, file.content);
    original.set(file.path, digest(file.content));
  }
  return { workspace, original };
}

/** Where a step's working copy lives: one directory per run and step, under the data dir. */
export function workspaceDirectory(dataDir: string, runId: string, step: string): string {
  return path.join(dataDir, 'workspaces', runId, step.replace(/[^A-Za-z0-9_-]/g, '_'));
}
