import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createApp, type App } from '../../src/app/create-app.js';
import type { Config } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { apiRoutes } from '../../src/http/api/api-routes.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { silentLogger } from '../../src/log/create-logger.js';
import { issueToken, type TokenRole } from '../../src/security/api-tokens.js';
import { benchPostgres } from './databases.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface BenchApi {
  readonly app: App;
  readonly config: Config;
  /** http://127.0.0.1:PORT (the API is under /api/v1). */
  readonly origin: string;
  readonly token: string;
}

/**
 * aidev's HTTP server with the REST API on a fresh PostgreSQL database (no rate limit), and a
 * token of `role`; everything is removed after `use`. Nothing runs without PostgreSQL.
 */
export async function withBenchApi(
  name: string,
  role: TokenRole,
  use: (api: BenchApi) => Promise<void>,
): Promise<void> {
  const database = await benchPostgres();
  if (database === null) return;
  const scratch = await mkdtemp(path.join(os.tmpdir(), `aidev-bench-${name}-`));
  const config = loadConfig({
    env: { AIDEV_DATA_DIR: scratch, DATABASE_URL: database.url ?? '' },
    cwd: ROOT,
  });
  const app = await createApp({ config, logger: silentLogger(), cwd: ROOT });
  const server = await createHttpServer({
    app,
    routes: [apiRoutes(app, { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } })],
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  try {
    const origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const { token } = await issueToken(app.store, { name: 'bench', role, createdBy: 'bench' });
    await use({ app, config, origin, token });
  } finally {
    await server.close();
    await app.stop();
    await database.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}
