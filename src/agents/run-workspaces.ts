import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log/create-logger.js';
import { TERMINAL_RUN_STATUSES } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';

/**
 * The working copies of a run's agent steps live under one directory per run; it goes when the
 * run ends, whether it succeeded, failed or was cancelled (a failed run's work is kept on its
 * branch or in its saved conversation, never only here).
 */
export function runWorkspaces(dataDir: string, runId: string): string {
  return path.join(dataDir, 'workspaces', runId);
}

/**
 * Where an attempt of a step has its working copy: one directory per run, step and attempt. A
 * worker that is stopping (or presumed dead) may still be winding its attempt down in its
 * directory while the next attempt clones into a directory of its own.
 */
export function workspaceDirectory(
  dataDir: string,
  runId: string,
  step: string,
  attempt: number,
): string {
  return path.join(
    runWorkspaces(dataDir, runId),
    `${step.replace(/[^A-Za-z0-9_-]/g, '_')}.${attempt}`,
  );
}

export async function removeRunWorkspaces(dataDir: string, runId: string): Promise<void> {
  await rm(runWorkspaces(dataDir, runId), { recursive: true, force: true });
}

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Removes what ended runs left behind on this machine: a worker that died mid-step, or a run
 * finished by a worker elsewhere, leaves its working copies here. Runs still going keep theirs.
 */
export async function removeEndedWorkspaces(
  dataDir: string,
  store: Store,
  log: Logger,
): Promise<number> {
  const entries = await readdir(path.join(dataDir, 'workspaces')).catch(() => [] as string[]);
  let removed = 0;
  for (const entry of entries) {
    if (!RUN_ID.test(entry)) continue;
    const run = await store.runs.get(entry);
    if (run !== null && !TERMINAL_RUN_STATUSES.includes(run.status)) continue;
    await removeRunWorkspaces(dataDir, entry);
    removed++;
  }
  if (removed > 0) log.info({ removed }, `removed the working copies of ${removed} ended run(s)`);
  return removed;
}
