import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { linear } from '../../../src/adapters/linear/linear.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { Plugin, PluginContext } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { LinearServer } from '../../vendors/linear/linear-server.js';

export const API_KEY = 'lin_api_Zq8vQm3kX7rT2pL9wE4nY6cB1dF5gH0jK';
export const ACCESS_TOKEN = 'lin_oauth_8f2c6a1e9d4b7035c2e1f9a8d6b4c3e2';

/** The plugin keeps nothing in aidev's database: any use of the store fails the test. */
const noStore = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`the linear plugin must not use the store (it read store.${String(name)})`);
    },
  },
) as Store;

/** A configured plugin, built through the registry as aidev builds it (config validated). */
export function linearPlugin(
  config: Record<string, unknown>,
  logger: Logger,
  guards: Guards,
): Plugin<'task_management'> {
  const context: PluginContext = { logger, store: noStore, guards, dataDir: '/nonexistent' };
  const registry = new PluginRegistry(context);
  registry.register(linear);
  return registry.configure('task_management', 'linear', config) as Plugin<'task_management'>;
}

export interface LocalLinear {
  readonly server: LinearServer;
  readonly plugin: Plugin<'task_management'>;
  readonly lines: string[];
  readonly logger: Logger;
  readonly newGuards: (settings?: Partial<GuardSettings>) => Guards;
}

/**
 * Starts a local Linear for the calling test file and connects a plugin to it with the API
 * key. Every test must leave no operation the real Linear would refuse and no credential in
 * the log.
 */
export function useLinearServer(): LocalLinear {
  const { logger, lines } = capturingLogger({ level: 'debug' });
  const guards: Guards[] = [];
  let server: LinearServer | undefined;
  let plugin: Plugin<'task_management'> | undefined;
  const newGuards = (settings: Partial<GuardSettings> = {}) => {
    const made = new Guards(logger, {
      linear: { ratePerSecond: 1000, burst: 1000, retryBaseMs: 5, retryMaxMs: 20, ...settings },
    });
    guards.push(made);
    return made;
  };
  beforeAll(async () => {
    server = await LinearServer.start({ apiKey: API_KEY, accessToken: ACCESS_TOKEN });
    plugin = linearPlugin({ api_key: API_KEY, api_url: server.url }, logger, newGuards());
    await plugin.connect();
  });
  afterEach(() => {
    expect(server?.violations).toEqual([]);
    for (const secret of [API_KEY, ACCESS_TOKEN])
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
  afterAll(async () => {
    for (const g of guards) g.shutdown();
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the local Linear is not started yet');
      return server;
    },
    get plugin() {
      if (plugin === undefined) throw new Error('the plugin is not built yet');
      return plugin;
    },
    lines,
    logger,
    newGuards,
  };
}
