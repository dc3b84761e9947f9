import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { confluence } from '../../../src/adapters/confluence/confluence.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { ConfluenceServer } from '../../vendors/confluence/confluence-server.js';
import { callContext } from '../contracts/call-context.js';

// Everything goes through real HTTP: confluence.js → the local Confluence, which checks each
// request against Atlassian's published v2 description.
export const EMAIL = 'aidev-bot@acme.test';
export const TOKEN = `ATATT-${randomUUID()}`;
export const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');

/** What a Confluence test file works with; useConfluenceServer gives each file its own. */
export interface LocalConfluence {
  /** The file's local Confluence (started in beforeAll, so read it inside hooks and tests). */
  readonly server: ConfluenceServer;
  /** The plugin the tests call: reset() builds and connects a fresh one; tests may swap it. */
  plugin: Plugin<'documentation'>;
  /** The guards of the plugin build() made last. */
  readonly guards: Guards | undefined;
  /** What was logged since the last reset(), as JSON lines. */
  readonly lines: string[];
  readonly logger: Logger;
  /**
   * A confluence plugin built the way aidev builds it: through the registry's validation. It
   * shuts down the guards of the plugin built before it.
   */
  readonly build: (
    config?: Record<string, unknown>,
    guard?: Partial<GuardSettings>,
  ) => Plugin<'documentation'>;
  /** An empty Confluence with the ENG space, an empty log and a connected plugin. */
  readonly reset: () => Promise<void>;
  /** Writes a page through the current plugin, from the implementation notes template. */
  readonly create: (
    title: string,
    content: string,
    extra?: { space?: string; parent?: string },
  ) => ReturnType<Plugin<'documentation'>['actions']['create_page_from_template']>;
  /** The request bodies the local Confluence received for an operation. */
  readonly bodiesOf: (operationId: string) => unknown[];
}

/**
 * Starts a local Confluence for the calling test file (signed in as EMAIL with TOKEN), and
 * registers the file's hooks: every test must leave no request the real Confluence would refuse.
 */
export function useConfluenceServer(): LocalConfluence {
  // Deliberately without `secrets`: nothing may reach the log for redaction to catch.
  const { logger, lines } = capturingLogger();
  let server: ConfluenceServer | undefined;
  let plugin: Plugin<'documentation'> | undefined;
  let guards: Guards | undefined;

  const started = (): ConfluenceServer => {
    if (server === undefined) throw new Error('the local Confluence is not started yet');
    return server;
  };

  const current = (): Plugin<'documentation'> => {
    if (plugin === undefined) throw new Error('no plugin yet: reset() builds one');
    return plugin;
  };

  function build(
    config: Record<string, unknown> = {},
    guard: Partial<GuardSettings> = {},
  ): Plugin<'documentation'> {
    guards?.shutdown();
    guards = new Guards(logger, {
      confluence: { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20, ...guard },
    });
    // The Confluence plugin keeps nothing in aidev's store; this test needs no database.
    const registry = new PluginRegistry({ logger, store: {} as Store, guards, dataDir: '/tmp' });
    registry.register(confluence);
    return registry.configure('documentation', 'confluence', {
      url: started().url,
      email: EMAIL,
      api_token: TOKEN,
      space: 'ENG',
      ...config,
    }) as Plugin<'documentation'>;
  }

  async function reset(): Promise<void> {
    started().reset();
    started().givenSpace('ENG', 'Engineering');
    lines.length = 0;
    plugin = build();
    await plugin.connect();
  }

  beforeAll(async () => {
    server = await ConfluenceServer.start({ email: EMAIL, apiToken: TOKEN });
  });

  afterAll(async () => {
    guards?.shutdown();
    await server?.close();
  });

  afterEach(() => {
    expect(started().http.violations).toEqual([]);
  });

  return {
    get server() {
      return started();
    },
    get plugin() {
      return current();
    },
    set plugin(next) {
      plugin = next;
    },
    get guards() {
      return guards;
    },
    lines,
    logger,
    build,
    reset,
    create: (title, content, extra = {}) =>
      current().actions.create_page_from_template(
        { template_type: 'implementation_notes', title, content, ...extra },
        callContext(),
      ),
    bodiesOf: (operationId) =>
      started()
        .http.requests.filter((r) => r.operationId === operationId)
        .map((r) => r.body),
  };
}
