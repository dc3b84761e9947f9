import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { EmbeddedCoordinator } from './embedded-coordinator.js';

/** Errors of a connection that was never established: no query was sent, so a retry is safe. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

function neverConnected(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && NOT_CONNECTED.has(e.code)) return true;
  return typeof e?.message === 'string' && e.message.startsWith('Connection terminated');
}

type ConnectCallback = (
  error: Error | undefined,
  client: pg.PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/**
 * A pool whose new connections follow the embedded database when it changes hands: a
 * connection refused because the owner just left waits for this or another process to take
 * over (up to `takeoverWaitMs`), then goes to the new owner.
 */
export function createEmbeddedPool(
  coordinator: EmbeddedCoordinator,
  config: pg.PoolConfig,
  takeoverWaitMs: number,
): pg.Pool {
  class EmbeddedClient extends pg.Client {
    constructor(clientConfig?: string | pg.ClientConfig) {
      super({
        ...(typeof clientConfig === 'object' ? clientConfig : {}),
        ...coordinator.connection(),
      });
    }
  }

  class EmbeddedPool extends pg.Pool {
    override connect(): Promise<pg.PoolClient>;
    override connect(callback: ConnectCallback): void;
    override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
      const attempt = this.connectFollowingOwner();
      if (callback === undefined) return attempt;
      attempt.then(
        (client) =>
          callback(undefined, client, (release) =>
            client.release(release as Error | boolean | undefined),
          ),
        (error: Error) => callback(error, undefined, () => undefined),
      );
    }

    private async connectFollowingOwner(): Promise<pg.PoolClient> {
      const deadline = Date.now() + takeoverWaitMs;
      for (;;) {
        try {
          return await super.connect();
        } catch (error) {
          if (!neverConnected(error) || Date.now() >= deadline) throw error;
          await coordinator.checkNow();
          await sleep(50);
        }
      }
    }
  }

  return new EmbeddedPool({ ...config, Client: EmbeddedClient });
}
