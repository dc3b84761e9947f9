import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A user id of its own for each sandboxed command running on this machine. The kernel counts
 * the process limit (RLIMIT_NPROC, threads included) per user: sandboxes sharing one user share
 * one limit, and a few test runs at once (each Node.js process has a dozen threads) exhaust it
 * together — their commands then fail at random. So commands take turns in a range of ids,
 * `first`, `first - 1`, … (the default starts at 65534, nobody, and stays below 65535 so that
 * a container's user namespace maps every one of them), each leased by a lock file naming the
 * process that holds it; a lease whose process died is taken over. When every id is in use,
 * the command shares `first` (and its limit) rather than wait.
 */
export interface SandboxUser {
  readonly uid: number;
  release(): Promise<void>;
}

export async function leaseSandboxUser(
  first: number,
  count: number,
  directory = defaultDirectory(),
): Promise<SandboxUser> {
  await ensurePrivateDirectory(directory);
  const ids = Array.from({ length: Math.max(1, Math.min(count, first)) }, (_, i) => first - i);
  // Start anywhere: workers starting together do not all contend for the same first id.
  const offset = Math.floor(Math.random() * ids.length);
  for (let i = 0; i < ids.length; i++) {
    const uid = ids[(offset + i) % ids.length] as number;
    const file = path.join(directory, String(uid));
    if ((await tryLock(file)) || ((await reclaimIfDead(file)) && (await tryLock(file))))
      return { uid, release: () => fs.rm(file, { force: true }) };
  }
  return { uid: first, release: () => Promise.resolve() };
}

function defaultDirectory(): string {
  return path.join(os.tmpdir(), `aidev-sandbox-users-${process.getuid?.() ?? 0}`);
}

/** Created 0700 and owned by this user: nobody else can plant or remove leases in it. */
async function ensurePrivateDirectory(directory: string): Promise<void> {
  await fs.mkdir(directory, { recursive: true, mode: 0o700 });
  const stat = await fs.lstat(directory);
  if (
    !stat.isDirectory() ||
    stat.uid !== (process.getuid?.() ?? stat.uid) ||
    (stat.mode & 0o077) !== 0
  )
    throw new Error(
      `${directory} is not a private directory of this user; remove it so that aidev can create it`,
    );
}

async function tryLock(file: string): Promise<boolean> {
  try {
    await fs.writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes a lease whose process is gone (a worker killed mid-command); true if it did. Two
 * processes reclaiming the same lease at once may both get the id: they then share its limit,
 * as every command did before, and nothing worse.
 */
async function reclaimIfDead(file: string): Promise<boolean> {
  const holder = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number(holder);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return false;
  if ((await fs.readFile(file, 'utf8').catch(() => '')) !== holder) return false;
  await fs.rm(file, { force: true });
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
