import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../errors/app-error.js';
import type { Logger } from '../../log/create-logger.js';
import { endpointConnection, startEmbeddedServer, type EmbeddedServer } from './embedded-server.js';
import {
  assessHolder,
  breakLock,
  isUnreadable,
  LOCK_FILE,
  readLock,
  tryAcquireLock,
  type Endpoint,
  type LockHolder,
  type LockTiming,
  type OwnedLock,
  type UnreadableLock,
} from './instance-lock.js';

export type EmbeddedRole =
  { readonly role: 'owner' } | { readonly role: 'client'; readonly ownerPid: number };

type State =
  | { readonly role: 'owner'; readonly lock: OwnedLock; readonly server: EmbeddedServer }
  | { readonly role: 'client'; readonly ownerPid: number; readonly token: string }
  | { readonly role: 'none' };

/**
 * Decides, and keeps deciding, who serves an embedded database directory: this process (the
 * owner) or another one it connects to. When the owner goes away, a client takes over.
 */
export class EmbeddedCoordinator {
  private state: State = { role: 'none' };
  private endpoint: Endpoint | null = null;
  private watcher: NodeJS.Timeout | undefined;
  private checking = false;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly timing: LockTiming,
    private readonly logger: Logger,
  ) {}

  /** Becomes the owner, or finds the owner to connect to; waits while another process starts it. */
  async establish(startupWaitMs: number): Promise<void> {
    const deadline = Date.now() + startupWaitMs;
    let lastHolder: LockHolder | UnreadableLock | null = null;
    while (Date.now() <= deadline) {
      const lock = await tryAcquireLock(this.dir, this.timing);
      if (lock !== null) return this.becomeOwner(lock);
      lastHolder = await readLock(this.dir);
      if (lastHolder !== null) {
        const verdict = await this.judge(lastHolder);
        if (verdict === 'follow' && !isUnreadable(lastHolder)) return this.follow(lastHolder);
        if (verdict === 'break') await this.breakStale(lastHolder);
        else await sleep(100);
      }
    }
    const who =
      lastHolder !== null && !isUnreadable(lastHolder)
        ? `process ${lastHolder.pid}`
        : 'another process';
    throw new AppError(
      'database_busy',
      `the embedded database in ${this.dir} is held by ${who}, which did not start serving it within ${Math.round(startupWaitMs / 1000)} s`,
      {
        hint: `stop that process, or delete ${path.join(this.dir, LOCK_FILE)} if it no longer runs`,
      },
    );
  }

  /** Keeps watching the owner so that this process takes over if it goes away. */
  startWatching(): void {
    this.watcher = setInterval(() => void this.checkOwner(), this.timing.heartbeatMs);
    this.watcher.unref();
  }

  /** Re-checks the owner now (a connection just failed); resolves when the check is done. */
  async checkNow(): Promise<void> {
    while (this.checking) await sleep(20);
    await this.checkOwner();
  }

  role(): EmbeddedRole {
    if (this.state.role === 'client') return { role: 'client', ownerPid: this.state.ownerPid };
    return { role: 'owner' };
  }

  describe(): string {
    const who =
      this.state.role === 'client'
        ? `served by process ${this.state.ownerPid}`
        : 'served by this process';
    return `embedded PGlite in ${this.dir} (${who})`;
  }

  /** Where new connections go right now. */
  connection(): { host: string; port: number } {
    return this.endpoint === null
      ? { host: path.join(this.dir, 'not-served'), port: 0 }
      : endpointConnection(this.endpoint);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.watcher !== undefined) clearInterval(this.watcher);
    while (this.checking) await sleep(20);
    const state = this.state;
    this.state = { role: 'none' };
    if (state.role === 'owner') {
      state.lock.stopHeartbeat();
      await state.server.stop();
      await state.lock.release();
    }
  }

  private async judge(holder: LockHolder | UnreadableLock): Promise<'follow' | 'break' | 'wait'> {
    if (isUnreadable(holder))
      return Date.now() - holder.heartbeatAt > this.timing.staleMs ? 'break' : 'wait';
    const state = assessHolder(holder, this.timing);
    if (state === 'dead') return 'break';
    if (holder.endpoint === null) return 'wait';
    if (state === 'alive' || (await canConnect(holder.endpoint))) return 'follow';
    return 'break';
  }

  private async breakStale(holder: LockHolder | UnreadableLock): Promise<void> {
    const who = isUnreadable(holder) ? 'an unreadable lock' : `process ${holder.pid}`;
    if (await breakLock(this.dir, holder)) {
      this.logger.warn(
        { dataDir: this.dir },
        `recovered the embedded database lock left by ${who}`,
      );
    } else {
      await sleep(50);
    }
  }

  private async becomeOwner(lock: OwnedLock): Promise<void> {
    lock.startHeartbeat((reason) => void this.lostLock(reason));
    let server: EmbeddedServer;
    try {
      server = await startEmbeddedServer(this.dir);
      await lock.publish(server.endpoint);
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw error;
    }
    this.state = { role: 'owner', lock, server };
    this.endpoint = server.endpoint;
  }

  private follow(holder: LockHolder): void {
    this.state = { role: 'client', ownerPid: holder.pid, token: holder.token };
    this.endpoint = holder.endpoint;
  }

  /** Another process took our lock: two owners would lose data, so stop serving at once. */
  private async lostLock(reason: string): Promise<void> {
    const state = this.state;
    if (state.role !== 'owner') return;
    this.logger.error({ dataDir: this.dir }, `stopped serving the embedded database: ${reason}`);
    this.state = { role: 'none' };
    this.endpoint = null;
    await state.server.stop().catch(() => undefined);
  }

  private async checkOwner(): Promise<void> {
    if (this.checking || this.closed || this.state.role === 'owner') return;
    this.checking = true;
    try {
      const holder = await readLock(this.dir);
      if (holder !== null) {
        const verdict = await this.judge(holder);
        if (verdict === 'follow' && !isUnreadable(holder)) {
          if (this.state.role !== 'client' || this.state.token !== holder.token)
            this.follow(holder);
          return;
        }
        if (verdict === 'wait') return;
        await this.breakStale(holder);
      }
      const lock = await tryAcquireLock(this.dir, this.timing);
      if (lock === null || this.closed) {
        await lock?.release();
        return;
      }
      await this.becomeOwner(lock);
      this.logger.info(
        { dataDir: this.dir },
        'the process serving the embedded database stopped; this process serves it now',
      );
    } catch (error) {
      this.logger.error(
        { err: error, dataDir: this.dir },
        'could not take over the embedded database',
      );
    } finally {
      this.checking = false;
    }
  }
}

async function canConnect(endpoint: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const socket =
      endpoint.kind === 'unix'
        ? net.connect(endpoint.path)
        : net.connect(endpoint.port, endpoint.host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
