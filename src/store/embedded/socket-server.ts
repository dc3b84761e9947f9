import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { ProtocolQueue } from './protocol-queue.js';

export interface SocketServer {
  /** `127.0.0.1:port` or the socket path. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Serves PGlite on a Unix socket or a loopback port: one pglite-socket protocol handler per
 * connection, all of them sharing one ProtocolQueue (see there for why not pglite-socket's).
 */
export async function serveSocket(
  db: PGlite,
  listen: { path: string } | { host: string; port: number },
): Promise<SocketServer> {
  const queue = new ProtocolQueue(db);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = net.createServer((socket) => {
    const handler = new PGLiteSocketHandler({
      // Structurally the handler only calls enqueue, clearQueueForHandler and
      // clearTransactionIfNeeded; its declared type is pglite-socket's class with private fields.
      queryQueue: queue as unknown as PGLiteSocketHandlerOptions['queryQueue'],
      closeOnDetach: true,
    });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if ('path' in listen) server.listen(listen.path, done);
    else server.listen(listen.port, listen.host, done);
  });
  const bound = server.address();
  const address = typeof bound === 'string' ? bound : `${bound?.address ?? ''}:${bound?.port ?? 0}`;
  return {
    address,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...handlers].map((h) => h.detach(true)));
      await closed;
    },
  };
}
