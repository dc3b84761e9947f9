import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Endpoint } from './instance-lock.js';
import { serveSocket, type SocketServer } from './socket-server.js';

export const PGDATA_DIR = 'pgdata';
/** pg connects to `<host>/.s.PGSQL.<port>` when host is a directory. */
export const SOCKET_PORT = 5432;
const SOCKET_FILE = `.s.PGSQL.${SOCKET_PORT}`;
/** sun_path is 104–108 bytes depending on the OS; stay below the smallest. */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedServer {
  readonly endpoint: Endpoint;
  stop(): Promise<void>;
}

/**
 * Opens the PGlite database in `dataDir/pgdata` and serves it over the PostgreSQL wire
 * protocol: a Unix socket inside the data directory (reachable only by its owner), or a
 * loopback TCP port when the path is too long for a socket.
 */
export async function startEmbeddedServer(dataDir: string): Promise<EmbeddedServer> {
  const db = await PGlite.create(path.join(dataDir, PGDATA_DIR));
  const socketPath = path.join(dataDir, SOCKET_FILE);
  const useUnix = process.platform !== 'win32' && Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  let server: SocketServer;
  let endpoint: Endpoint;
  try {
    if (useUnix) {
      // A socket file left by a crashed owner would make listen() fail; we hold the lock.
      await fs.rm(socketPath, { force: true });
      server = await serveSocket(db, { path: socketPath });
      await fs.chmod(socketPath, 0o600);
      endpoint = { kind: 'unix', path: socketPath };
    } else {
      server = await serveSocket(db, { host: '127.0.0.1', port: 0 });
      endpoint = { kind: 'tcp', host: '127.0.0.1', port: portOf(server.address) };
    }
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return {
    endpoint,
    async stop() {
      await server.stop();
      await db.close();
      if (endpoint.kind === 'unix') await fs.rm(endpoint.path, { force: true });
    },
  };
}

function portOf(connection: string): number {
  const port = Number(connection.slice(connection.lastIndexOf(':') + 1));
  if (!Number.isInteger(port) || port <= 0)
    throw new Error(`unexpected embedded server address ${connection}`);
  return port;
}

/** pg connection settings for an endpoint. */
export function endpointConnection(endpoint: Endpoint): { host: string; port: number } {
  return endpoint.kind === 'unix'
    ? { host: path.dirname(endpoint.path), port: SOCKET_PORT }
    : { host: endpoint.host, port: endpoint.port };
}
