import type { PGlite } from '@electric-sql/pglite';

/**
 * Serializes the PostgreSQL protocol messages of every connection onto PGlite's one session.
 *
 * pglite-socket's own queue only keeps a connection's messages together inside an explicit
 * transaction; between a Parse and its Sync (the extended protocol every parameterized query
 * uses) it lets other connections' messages in, and they clobber the shared unnamed statement
 * ("bind message supplies 2 parameters, but prepared statement "" requires 3"). It also stops
 * for good after one failed message. This queue gives a connection the session from the first
 * message of a batch until its Sync, and for as long as it holds a transaction block, and
 * always moves on.
 */

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
/** Messages that open or continue an extended-protocol batch: Parse, Bind, Describe, Execute, Close, Flush. */
const BATCH = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);
const SYNC_MESSAGE = new Uint8Array([SYNC, 0, 0, 0, 4]);

interface Item {
  readonly handlerId: number;
  readonly message: Uint8Array;
  readonly onData: (data: Uint8Array) => void;
  readonly resolve: (bytes: number) => void;
  readonly reject: (error: unknown) => void;
}

export class ProtocolQueue {
  private readonly items: Item[] = [];
  private running = false;
  /** The connection that has the session (mid-batch, or in a transaction block). */
  private owner: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.items.push({ handlerId, message, onData, resolve, reject });
      void this.drain();
    });
  }

  getQueueLength(): number {
    return this.items.length;
  }

  /** A connection went away: drop what it still had queued. */
  clearQueueForHandler(handlerId: number): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const item = this.items[i];
      if (item?.handlerId === handlerId) {
        this.items.splice(i, 1);
        item.reject(new Error('the connection was closed'));
      }
    }
  }

  /** A connection went away holding the session: end its batch and its transaction. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner !== handlerId) return;
    // While this connection still owns the session nothing else runs on it; exec() takes the
    // PGlite mutex itself, so the rollback runs outside runExclusive.
    await this.db.runExclusive(() =>
      this.db.execProtocolRawStream(SYNC_MESSAGE, { onRawData: () => undefined }),
    );
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index =
          this.owner === null ? 0 : this.items.findIndex((item) => item.handlerId === this.owner);
        if (index < 0 || index >= this.items.length) return;
        const [item] = this.items.splice(index, 1);
        if (item === undefined) return;
        await this.execute(item);
      }
    } finally {
      this.running = false;
    }
  }

  private async execute(item: Item): Promise<void> {
    let bytes = 0;
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(item.message, {
          onRawData: (data) => {
            bytes += data.length;
            item.onData(data);
          },
        }),
      );
      this.owner = this.ownerAfter(item);
      item.resolve(bytes);
    } catch (error) {
      this.owner = this.ownerAfter(item);
      item.reject(error);
    }
  }

  private ownerAfter(item: Item): number | null {
    const type = item.message[0] ?? 0;
    if (type === SYNC || type === QUERY) return this.db.isInTransaction() ? item.handlerId : null;
    if (BATCH.has(type)) return item.handlerId;
    if (type === TERMINATE) return this.owner === item.handlerId ? null : this.owner;
    return this.owner;
  }
}
