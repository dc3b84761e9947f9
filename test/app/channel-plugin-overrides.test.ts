import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpPlugins } from '../../src/app/plugins.js';
import { loadConfig } from '../../src/config/load-config.js';
import { silentLogger } from '../../src/log/create-logger.js';
import type { PluginRegistry } from '../../src/plugins/plugin-registry.js';
import { RegistryActionRunner } from '../../src/plugins/registry-action-runner.js';
import { openTestDatabase, type TestDatabase } from '../support/backends.js';

let database: TestDatabase;
let registry: PluginRegistry;
let opsDocs: string;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-overrides-'));
  opsDocs = path.join(dataDir, 'ops-docs');
  await database.store.plugins.upsert({
    pluginType: 'documentation',
    pluginName: 'local_docs',
    scope: 'C-OPS',
    settings: { directory: opsDocs, default_space: 'runbooks' },
  });
  await database.store.plugins.upsert({
    pluginType: 'documentation',
    pluginName: 'local_docs',
    scope: 'C-BAD',
    settings: { directory: 42 },
  });
  const config = loadConfig({ env: { AIDEV_DATA_DIR: dataDir }, cwd: dataDir });
  ({ registry } = await setUpPlugins({ config, store: database.store, logger: silentLogger() }));
});
afterAll(async () => database.dispose());

function call(channelId: string) {
  return new RegistryActionRunner(registry).run({
    run: { id: 'r1', workflow: 'w', channelId, userId: 'U1' },
    step: 'docs',
    attempt: 1,
    idempotencyKey: 'r1:docs',
    signal: new AbortController().signal,
    log: silentLogger(),
    plugin: 'documentation',
    action: 'create_page_from_template',
    input: { template_type: 'page', title: 'Runbook', content: 'Restart it.' },
  }) as Promise<{ doc_url: string }>;
}

describe('a channel’s own plugin configuration (stored in the database)', () => {
  it('serves that channel, while the others keep the global one', async () => {
    expect((await call('C-OPS')).doc_url).toContain(`${opsDocs}/runbooks/runbook.md`);
    expect((await call('C-DEV')).doc_url).not.toContain(opsDocs);
  });

  it('refuses an invalid one for its channel only, saying why in its calls and its health', async () => {
    await expect(call('C-BAD')).rejects.toMatchObject({
      code: 'plugin_misconfigured',
      message: expect.stringContaining('directory') as unknown as string,
    });
    const health = await registry.health();
    expect(health.find((h) => h.scope === 'C-BAD')).toMatchObject({ ok: false });
    expect(health.filter((h) => h.scope !== 'C-BAD').every((h) => h.ok)).toBe(true);
  });
});
