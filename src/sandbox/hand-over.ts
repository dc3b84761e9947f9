import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';

/**
 * Gives a working copy to the sandbox's user (aidev runs as root, its commands never do), so the
 * command can write where it works. Links are re-owned, never followed. Only a private working
 * copy is ever handed over: re-owning a shared directory (/tmp, a home, aidev's own directory)
 * would give the machine's files to the sandbox's user — and, for /tmp, break every program
 * that keeps its own directory there.
 */
export async function handOver(directory: string, uid: number, gid: number): Promise<void> {
  await refuseShared(directory);
  const own = async (entry: string): Promise<void> => {
    const stat = await fs.lstat(entry);
    if (stat.uid !== uid || stat.gid !== gid) await fs.lchown(entry, uid, gid);
    if (!stat.isDirectory()) return;
    for (const name of await fs.readdir(entry)) await own(path.join(entry, name));
  };
  await own(directory);
}

/** World-writable or sticky: a directory that others share (/tmp, /var/tmp, /dev/shm). */
const SHARED_MODE_BITS = 0o1002;

async function refuseShared(directory: string): Promise<void> {
  const resolved = path.resolve(directory);
  const stat = await fs.lstat(resolved);
  const holds = [os.homedir(), os.tmpdir(), process.cwd()].find((inner) =>
    isSameOrInside(path.resolve(inner), resolved),
  );
  const why =
    resolved === path.parse(resolved).root
      ? 'it is the root of the file system'
      : !stat.isDirectory()
        ? 'it is not a directory'
        : (stat.mode & SHARED_MODE_BITS) !== 0
          ? 'it is shared (world-writable or sticky, like /tmp)'
          : holds !== undefined
            ? `it holds ${holds}`
            : undefined;
  if (why !== undefined)
    throw new StepError(
      `refusing to run a sandboxed command in ${resolved}: ${why}, not a working copy of its own, and the sandbox would hand its files to the sandbox's user`,
      { code: 'sandbox_refused' },
    );
}

function isSameOrInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
