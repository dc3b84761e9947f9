import { consoleChannel } from '../adapters/console/console-channel.js';
import { localDocs } from '../adapters/local-docs/local-docs.js';
import { localGit } from '../adapters/local-git/local-git.js';
import { localTracker } from '../adapters/local-tracker/local-tracker.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../log/create-logger.js';
import { PLUGIN_TYPES } from '../plugins/action-signature.js';
import type { PluginDefinition } from '../plugins/plugin.js';
import { PluginRegistry } from '../plugins/plugin-registry.js';
import { Guards } from '../resilience/guards.js';
import type { Store } from '../store/store.js';

/** The plugins aidev ships: the embedded defaults, real implementations with no accounts. */
export const BUILT_IN_PLUGINS: readonly PluginDefinition[] = [
  localTracker,
  localGit,
  localDocs,
  consoleChannel,
] as readonly PluginDefinition[];

/**
 * Builds the plugin registry the configuration asks for: every built-in plugin and those of
 * the configured packages registered, the chosen plugin of each type configured (its settings
 * validated), all of them connected — a plugin that cannot connect is reported, not fatal.
 */
export async function setUpPlugins(options: {
  config: Config;
  store: Store;
  logger: Logger;
}): Promise<{ registry: PluginRegistry; guards: Guards }> {
  const { config, logger } = options;
  const guards = new Guards(logger);
  const registry = new PluginRegistry({
    logger,
    store: options.store,
    guards,
    dataDir: config.dataDir,
  });
  for (const definition of BUILT_IN_PLUGINS) registry.register(definition);
  for (const specifier of config.plugins.packages) await registry.loadPackage(specifier);
  for (const type of PLUGIN_TYPES) {
    const choice = config.plugins.choices[type];
    registry.configure(type, choice.use, choice.settings);
  }
  await registry.connectAll();
  return { registry, guards };
}
