import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * Only one process may open an embedded database directory: two PGlite instances on the same
 * files silently lose writes. The first process creates `embedded.lock` (O_EXCL) and serves
 * the database on a socket; every other process reads the lock and connects to that socket.
 * The owner refreshes the lock's mtime as a heartbeat; a lock whose process is gone is broken
 * by the next process that needs the database.
 */

export const LOCK_FILE = 'embedded.lock';
const RECOVERY_DIR = 'embedded.lock.recovering';

export type Endpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

const endpointSchema = z.union([
  z.object({ kind: z.literal('unix'), path: z.string() }),
  z.object({ kind: z.literal('tcp'), host: z.string(), port: z.number().int() }),
]);

const lockSchema = z.object({
  pid: z.number().int(),
  hostname: z.string(),
  token: z.string(),
  startedAt: z.string(),
  endpoint: endpointSchema.nullable(),
});

export type LockRecord = z.output<typeof lockSchema>;

export interface LockHolder extends LockRecord {
  /** Last heartbeat (the lock file's mtime), in epoch milliseconds. */
  readonly heartbeatAt: number;
}

/** A lock file that exists but cannot be read yet (being written) or is corrupt. */
export interface UnreadableLock {
  readonly unreadable: true;
  readonly heartbeatAt: number;
}

export interface LockTiming {
  readonly heartbeatMs: number;
  /** A heartbeat older than this means the holder is gone (or, on this host, not answering). */
  readonly staleMs: number;
}

export const DEFAULT_LOCK_TIMING: LockTiming = { heartbeatMs: 1_000, staleMs: 10_000 };

/**
 * - `alive`: the holder is running;
 * - `dead`: the holder is gone, the lock may be broken;
 * - `unresponsive`: the holder's process exists on this host but its heartbeat stopped: either
 *   it is busy or its pid was reused; the caller probes the endpoint to tell.
 */
export type HolderState = 'alive' | 'dead' | 'unresponsive';

export function assessHolder(
  holder: LockHolder,
  timing: LockTiming,
  now = Date.now(),
): HolderState {
  const fresh = now - holder.heartbeatAt < timing.staleMs;
  if (holder.hostname !== hostname()) return fresh ? 'alive' : 'dead';
  if (!isProcessAlive(holder.pid)) return 'dead';
  return fresh ? 'alive' : 'unresponsive';
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLock(dir: string): Promise<LockHolder | UnreadableLock | null> {
  const file = path.join(dir, LOCK_FILE);
  let text: string;
  let heartbeatAt: number;
  try {
    const stat = await fs.stat(file);
    heartbeatAt = stat.mtimeMs;
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const record = lockSchema.parse(JSON.parse(text));
    return { ...record, heartbeatAt };
  } catch {
    return { unreadable: true, heartbeatAt };
  }
}

export function isUnreadable(lock: LockHolder | UnreadableLock): lock is UnreadableLock {
  return 'unreadable' in lock;
}

/** Takes the lock if nobody holds it; null when the file already exists. */
export async function tryAcquireLock(
  dir: string,
  timing = DEFAULT_LOCK_TIMING,
): Promise<OwnedLock | null> {
  const record: LockRecord = {
    pid: process.pid,
    hostname: hostname(),
    token: randomUUID(),
    startedAt: new Date().toISOString(),
    endpoint: null,
  };
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(path.join(dir, LOCK_FILE), 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  try {
    await handle.writeFile(JSON.stringify(record));
  } finally {
    await handle.close();
  }
  return new OwnedLock(dir, record, timing);
}

/**
 * Removes a lock judged dead, unless it changed since it was read (another process broke it
 * and took it first). A short-lived directory serializes the processes doing this.
 */
export async function breakLock(
  dir: string,
  judged: LockHolder | UnreadableLock,
): Promise<boolean> {
  const guard = path.join(dir, RECOVERY_DIR);
  try {
    await fs.mkdir(guard);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await removeAbandonedGuard(guard);
    return false;
  }
  try {
    const current = await readLock(dir);
    if (current === null) return true;
    if (!sameLock(current, judged)) return false;
    await fs.rm(path.join(dir, LOCK_FILE), { force: true });
    return true;
  } finally {
    await fs.rmdir(guard).catch(() => undefined);
  }
}

function sameLock(a: LockHolder | UnreadableLock, b: LockHolder | UnreadableLock): boolean {
  if (isUnreadable(a) || isUnreadable(b))
    return isUnreadable(a) && isUnreadable(b) && a.heartbeatAt === b.heartbeatAt;
  return a.token === b.token;
}

/** A recovering process that died leaves its guard behind; clear it after a few seconds. */
async function removeAbandonedGuard(guard: string): Promise<void> {
  const stat = await fs.stat(guard).catch(() => null);
  if (stat !== null && Date.now() - stat.mtimeMs > 5_000)
    await fs.rmdir(guard).catch(() => undefined);
}

export class OwnedLock {
  private timer: NodeJS.Timeout | undefined;
  private record: LockRecord;

  constructor(
    private readonly dir: string,
    record: LockRecord,
    private readonly timing: LockTiming,
  ) {
    this.record = record;
  }

  get token(): string {
    return this.record.token;
  }

  private get file(): string {
    return path.join(this.dir, LOCK_FILE);
  }

  /** Records where the database is served; replaces the file atomically. */
  async publish(endpoint: Endpoint): Promise<void> {
    this.record = { ...this.record, endpoint };
    const temp = `${this.file}.${process.pid}.tmp`;
    await fs.writeFile(temp, JSON.stringify(this.record), { mode: 0o600 });
    await fs.rename(temp, this.file);
  }

  /** Refreshes the heartbeat; calls `onLost` if the file is no longer ours. */
  startHeartbeat(onLost: (reason: string) => void): void {
    this.timer = setInterval(() => {
      void this.beat().then((lost) => {
        if (lost !== undefined) {
          this.stopHeartbeat();
          onLost(lost);
        }
      });
    }, this.timing.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<string | undefined> {
    try {
      const current = await readLock(this.dir);
      if (current === null) return 'the lock file was removed';
      if (isUnreadable(current) || current.token !== this.record.token)
        return 'another process took the lock';
      const now = new Date();
      await fs.utimes(this.file, now, now);
      return undefined;
    } catch (error) {
      return `the lock file could not be refreshed: ${(error as Error).message}`;
    }
  }

  stopHeartbeat(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  async release(): Promise<void> {
    this.stopHeartbeat();
    const current = await readLock(this.dir).catch(() => null);
    if (current !== null && !isUnreadable(current) && current.token === this.record.token) {
      await fs.rm(this.file, { force: true });
    }
  }
}
