import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../../src/log/create-logger.js';
import { RegistryActionRunner } from '../../src/plugins/registry-action-runner.js';
import { connectLocalPlugins } from '../plugins/local/local-plugins.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { openTestDatabase, resetTables, type TestDatabase } from './backends.js';

/** What the agent tests work with: a store, the local Anthropic, the local plugins on a scratch folder. */
export interface AgentWorld {
  readonly database: TestDatabase;
  readonly server: AnthropicServer;
  readonly scratch: string;
  readonly actions: RegistryActionRunner;
  /** Empty tables and a server with no script or traffic: each test starts from nothing. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startAgentWorld(name: string, logger: Logger): Promise<AgentWorld> {
  const database = await openTestDatabase('pglite');
  const server = await startAnthropicServer();
  const scratch = await mkdtemp(path.join(os.tmpdir(), `aidev-${name}-`));
  const { registry } = await connectLocalPlugins({
    store: database.store,
    dataDir: scratch,
    logger,
  });
  return {
    database,
    server,
    scratch,
    actions: new RegistryActionRunner(registry),
    async reset() {
      await resetTables(database.db);
      server.reset();
    },
    async close() {
      await server.close();
      await database.dispose();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
