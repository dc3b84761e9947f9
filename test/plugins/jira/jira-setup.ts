import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { jira } from '../../../src/adapters/jira/jira.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { ActionContext, Plugin, PluginContext } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { JiraServer } from '../../vendors/jira/jira-server.js';

export const EMAIL = 'aidev-bot@example.com';
export const API_TOKEN = 'ATATT3xFfGF0-cloud-api-token-7f3c9a';
export const PAT = 'NjQ4MzE2-datacenter-pat-b1e2d3';

/** Custom field ids the way a Cloud site and a Data Center instance number them. */
export const CLOUD_FIELDS = {
  story_points: 'customfield_10016',
  team: 'customfield_10001',
} as const;
export const DC_FIELDS = {
  story_points: 'customfield_10002',
  epic: 'customfield_10014',
  epic_name: 'customfield_10011',
  team: 'customfield_10500',
} as const;

/** The plugin keeps nothing in aidev's database: any use of the store fails the test. */
const noStore = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`the jira plugin must not use the store (it read store.${String(name)})`);
    },
  },
) as Store;

/** Fast guards (no rate limit to speak of, short backoff); tests override what they check. */
export function testGuards(logger: Logger, jiraSettings: Partial<GuardSettings> = {}): Guards {
  return new Guards(logger, {
    jira: { ratePerSecond: 1000, burst: 1000, retryBaseMs: 5, retryMaxMs: 20, ...jiraSettings },
  });
}

/** A configured plugin, built through the registry as aidev builds it (config validated). */
export function jiraPlugin(
  config: Record<string, unknown>,
  logger: Logger,
  guards: Guards,
): { plugin: Plugin<'task_management'>; registry: PluginRegistry } {
  const context: PluginContext = { logger, store: noStore, guards, dataDir: '/nonexistent' };
  const registry = new PluginRegistry(context);
  registry.register(jira);
  const plugin = registry.configure('task_management', 'jira', config) as Plugin<'task_management'>;
  return { plugin, registry };
}

export function cloudConfig(url: string): Record<string, unknown> {
  return { url, email: EMAIL, api_token: API_TOKEN, custom_fields: CLOUD_FIELDS };
}

export function dataCenterConfig(url: string): Record<string, unknown> {
  return { url, pat: PAT, custom_fields: DC_FIELDS };
}

/** A step's context whose log lines are captured (callContext's are silent). */
export function loggedContext(log: Logger, key = `run-${randomUUID()}:step`): ActionContext {
  return {
    idempotencyKey: key,
    signal: new AbortController().signal,
    log,
    run: { id: randomUUID(), workflow: 'jira-test', channelId: 'C-test', userId: 'U-test' },
  };
}

export type Deployment = 'cloud' | 'dataCenter';

/** What a Jira test file works with; useJiraServer gives each file its own. */
export interface LocalJira {
  /** The file's local Jira (started in beforeAll, so read it inside hooks and tests). */
  readonly server: JiraServer;
  /** Everything the file's plugins and guards logged, as JSON lines. */
  readonly lines: string[];
  readonly logger: Logger;
  /** The Cloud or the Data Center plugin, connected in beforeAll. */
  readonly plugin: (kind: Deployment) => Plugin<'task_management'>;
  /** Guards on the file's logger, shut down in afterAll. */
  readonly newGuards: (settings?: Partial<GuardSettings>) => Guards;
}

/**
 * Starts a local Jira for the calling test file and connects a Cloud and a Data Center plugin
 * to it. Registers the file's hooks: every test must leave no request the real Jira would
 * refuse, no jira.js mismatch and no credential in the log.
 */
export function useJiraServer(): LocalJira {
  // Built without the secrets: the scans prove nothing relied on the scrubber.
  const { logger, lines } = capturingLogger({ level: 'debug' });
  const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
  let server: JiraServer | undefined;
  const guards: Guards[] = [];
  const plugins: Partial<Record<Deployment, Plugin<'task_management'>>> = {};

  const started = (): JiraServer => {
    if (server === undefined) throw new Error('the local Jira is not started yet');
    return server;
  };

  const plugin = (kind: Deployment): Plugin<'task_management'> => {
    const found = plugins[kind];
    if (found === undefined) throw new Error('the plugins are not built yet');
    return found;
  };

  const newGuards = (settings: Partial<GuardSettings> = {}): Guards => {
    const made = testGuards(logger, settings);
    guards.push(made);
    return made;
  };

  beforeAll(async () => {
    server = await JiraServer.start({ email: EMAIL, apiToken: API_TOKEN, pat: PAT });
    plugins.cloud = jiraPlugin(cloudConfig(server.url), logger, newGuards()).plugin;
    plugins.dataCenter = jiraPlugin(dataCenterConfig(server.url), logger, newGuards()).plugin;
    await plugin('cloud').connect();
    await plugin('dataCenter').connect();
  });

  afterEach(() => {
    // Any request the real Jira would refuse fails the test that sent it.
    expect(started().http.violations).toEqual([]);
    expect(lines.filter((l) => l.includes('did not match jira.js'))).toEqual([]);
    // The tests are split over several files, so each file scans its own log for the secrets.
    for (const secret of [API_TOKEN, PAT, basic])
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });

  afterAll(async () => {
    for (const g of guards) g.shutdown();
    await server?.close();
  });

  return {
    get server() {
      return started();
    },
    lines,
    logger,
    plugin,
    newGuards,
  };
}
