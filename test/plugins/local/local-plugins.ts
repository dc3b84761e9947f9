import { consoleChannel } from '../../../src/adapters/console/console-channel.js';
import { localDocs } from '../../../src/adapters/local-docs/local-docs.js';
import { localGit } from '../../../src/adapters/local-git/local-git.js';
import { localTracker } from '../../../src/adapters/local-tracker/local-tracker.js';
import type { Logger } from '../../../src/log/create-logger.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { Store } from '../../../src/store/store.js';

export interface LocalPlugins {
  readonly registry: PluginRegistry;
  readonly tracker: Plugin<'task_management'>;
  readonly git: Plugin<'version_control'>;
  readonly docs: Plugin<'documentation'>;
  readonly console: Plugin<'communication'>;
}

/** The embedded defaults, configured and connected as aidev does with no accounts. */
export async function connectLocalPlugins(options: {
  store: Store;
  dataDir: string;
  logger: Logger;
  trackerSettings?: Record<string, unknown>;
}): Promise<LocalPlugins> {
  const { logger } = options;
  const registry = new PluginRegistry({
    logger,
    store: options.store,
    guards: new Guards(logger),
    dataDir: options.dataDir,
  });
  for (const definition of [localTracker, localGit, localDocs, consoleChannel])
    registry.register(definition);
  const plugins = {
    registry,
    tracker: registry.configure(
      'task_management',
      'local',
      options.trackerSettings ?? {},
    ) as Plugin<'task_management'>,
    git: registry.configure('version_control', 'local_git', {
      collaborators: { alice: 'write' },
    }) as Plugin<'version_control'>,
    docs: registry.configure('documentation', 'local_docs', {}) as Plugin<'documentation'>,
    console: registry.configure('communication', 'console', {}) as Plugin<'communication'>,
  };
  await registry.connectAll();
  return plugins;
}
