import { consoleChannel } from '../adapters/console/console-channel.js';
import { confluence } from '../adapters/confluence/confluence.js';
import { github } from '../adapters/github/github.js';
import { gitlab } from '../adapters/gitlab/gitlab.js';
import { jira } from '../adapters/jira/jira.js';
import { linear } from '../adapters/linear/linear.js';
import { localDocs } from '../adapters/local-docs/local-docs.js';
import { localGit } from '../adapters/local-git/local-git.js';
import { localTracker } from '../adapters/local-tracker/local-tracker.js';
import { slackChannel } from '../adapters/slack/slack-plugin.js';
import type { Config } from '../config/config.js';
import { AppError, isAppError } from '../errors/app-error.js';
import type { Logger } from '../log/create-logger.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import { PLUGIN_TYPES } from '../plugins/action-signature.js';
import type { Plugin, PluginDefinition } from '../plugins/plugin.js';
import { GLOBAL_SCOPE, PluginRegistry } from '../plugins/plugin-registry.js';
import { Guards } from '../resilience/guards.js';
import type { ReconnectTiming } from '../resilience/reconnector.js';
import { credentialsContext, openCredentials } from '../security/credentials.js';
import { Keyring } from '../security/keyring.js';
import type { PluginConfiguration } from '../store/repositories/plugin-configurations.js';
import type { Store } from '../store/store.js';

/**
 * The plugins aidev ships: the embedded defaults (real implementations that need no account)
 * and the vendor integrations.
 */
export const BUILT_IN_PLUGINS: readonly PluginDefinition[] = [
  localTracker,
  localGit,
  localDocs,
  consoleChannel,
  jira,
  linear,
  github,
  gitlab,
  confluence,
  slackChannel,
] as readonly PluginDefinition[];

/** Settings of vendor plugins that come from the environment: credentials and addresses. */
const FROM_ENVIRONMENT: Readonly<
  Record<
    string,
    { env: Readonly<Record<string, string>>; read(config: Config): Record<string, unknown> }
  >
> = {
  github: {
    env: {
      token: 'GITHUB_TOKEN',
      api_url: 'GITHUB_API_URL',
      app_id: 'GITHUB_APP_ID',
      private_key: 'GITHUB_APP_PRIVATE_KEY',
      installation_id: 'GITHUB_APP_INSTALLATION_ID',
    },
    // The App wins over the token: with both set, the token is not handed to the plugin.
    read: ({ github: { app, token, apiUrl } }) =>
      app === undefined
        ? { token, api_url: apiUrl }
        : {
            app_id: app.id,
            private_key: app.privateKey,
            installation_id: app.installationId,
            api_url: apiUrl,
          },
  },
  gitlab: {
    env: { token: 'GITLAB_TOKEN', url: 'GITLAB_URL' },
    read: ({ gitlab: g }) => ({ token: g.token, url: g.url }),
  },
  jira: {
    env: { url: 'JIRA_URL', email: 'JIRA_EMAIL', api_token: 'JIRA_API_TOKEN', pat: 'JIRA_PAT' },
    read: (c) => ({
      url: c.jira.url,
      email: c.jira.email,
      api_token: c.jira.apiToken,
      pat: c.jira.pat,
    }),
  },
  linear: {
    env: {
      api_key: 'LINEAR_API_KEY',
      access_token: 'LINEAR_ACCESS_TOKEN',
      api_url: 'LINEAR_API_URL',
    },
    read: (c) => ({
      api_key: c.linear.apiKey,
      access_token: c.linear.accessToken,
      api_url: c.linear.apiUrl,
    }),
  },
  slack: {
    env: { token: 'SLACK_BOT_TOKEN', api_url: 'SLACK_API_URL' },
    read: (c) => ({ token: c.slack.botToken, api_url: c.slack.apiUrl }),
  },
  confluence: {
    env: { url: 'CONFLUENCE_URL', email: 'CONFLUENCE_EMAIL', api_token: 'CONFLUENCE_API_TOKEN' },
    read: (c) => ({
      url: c.confluence.url,
      email: c.confluence.email,
      api_token: c.confluence.apiToken,
    }),
  },
};

/**
 * A plugin's settings: those of the settings file over those from the environment. Secrets
 * belong in the environment only, so a secret field in the settings file is refused.
 */
export function pluginSettings(
  definition: PluginDefinition,
  settings: Readonly<Record<string, unknown>>,
  config: Config,
): Record<string, unknown> {
  const fromEnv = FROM_ENVIRONMENT[definition.name];
  for (const field of definition.secretFields ?? []) {
    if (settings[field] === undefined) continue;
    const variable = fromEnv?.env[field];
    throw new AppError(
      'config_invalid',
      `plugins.${definition.type}.settings.${field}: secrets are not read from the settings file${variable === undefined ? '' : `; set ${variable} instead`}`,
    );
  }
  const environment = Object.fromEntries(
    Object.entries(fromEnv?.read(config) ?? {}).filter(([, value]) => value !== undefined),
  );
  return { ...environment, ...settings };
}

/**
 * Builds the plugin registry the configuration asks for: every built-in plugin and those of
 * the configured packages registered, the chosen plugin of each type configured (its settings
 * validated), all of them connected — a plugin that cannot connect is reported, not fatal.
 */
export async function setUpPlugins(options: {
  config: Config;
  store: Store;
  logger: Logger;
  /** Default: the standard guard for each service. */
  guards?: Guards;
  /** Opens stored credentials (default: AIDEV_ENCRYPTION_KEY and the data directory's keys). */
  keyring?: Keyring;
  /**
   * The database's schema is not up to date (config check before the migrations): plugins
   * that need it are left out (returned as `skipped`), and channels' stored configurations
   * are not read.
   */
  schemaPending?: boolean;
  /** Backoff of the reconnection attempts, or `false` for none (a one-off check). */
  reconnect?: ReconnectTiming | false;
  /** A span per guarded call (#20). */
  monitoring?: Monitoring;
}): Promise<{ registry: PluginRegistry; guards: Guards; skipped: PluginDefinition[] }> {
  const { config, logger } = options;
  const guards =
    options.guards ??
    new Guards(
      logger,
      config.resilience,
      {},
      {
        shared: options.store.rateLimits,
        ...(options.monitoring === undefined ? {} : { monitoring: options.monitoring }),
      },
    );
  const registry = new PluginRegistry(
    {
      logger,
      store: options.store,
      guards,
      dataDir: config.dataDir,
      allowedPaths: config.localGit.allowedPaths,
    },
    options.reconnect === undefined ? {} : { reconnect: options.reconnect },
  );
  const skipped: PluginDefinition[] = [];
  for (const definition of BUILT_IN_PLUGINS) registry.register(definition);
  for (const specifier of config.plugins.packages) await registry.loadPackage(specifier);
  for (const type of PLUGIN_TYPES) {
    const choice = config.plugins.choices[type];
    const definition = registry.definition(type, choice.use);
    if (options.schemaPending === true && definition?.needsSchema === true) {
      skipped.push(definition);
      continue;
    }
    const settings =
      definition === undefined
        ? choice.settings
        : pluginSettings(definition, choice.settings, config);
    registry.configure(type, choice.use, settings);
  }
  if (options.schemaPending !== true) {
    const keyring =
      options.keyring ??
      (await Keyring.open({
        dataDir: config.dataDir,
        envKey: config.security.encryptionKey,
        logger,
        sharedDatabase: config.database.url !== undefined,
      }));
    await configureChannelOverrides(registry, options.store, { config, keyring, logger });
  }
  await registry.connectAll();
  return { registry, guards, skipped };
}

/**
 * Channels' own plugin configurations, stored in the database, with their credentials opened
 * with the keyring. One that does not validate (or whose credentials cannot be opened) is
 * refused for its channel only (its calls and health say why); the others are unaffected.
 */
async function configureChannelOverrides(
  registry: PluginRegistry,
  store: Store,
  deps: StoredConfigurationDeps,
): Promise<void> {
  for (const stored of await store.plugins.list()) {
    if (!stored.enabled || stored.scope === GLOBAL_SCOPE) continue;
    await applyStoredConfiguration(registry, stored, deps);
  }
}

export interface StoredConfigurationDeps {
  readonly config: Config;
  readonly keyring: Keyring;
  readonly logger: Logger;
}

/**
 * Configures one channel's stored plugin configuration in the registry (at start-up, or when
 * the API changes it): its settings over those from the environment, its credentials opened.
 * Returns the plugin, or undefined when the configuration was refused.
 */
export async function applyStoredConfiguration(
  registry: PluginRegistry,
  stored: PluginConfiguration,
  deps: StoredConfigurationDeps,
): Promise<Plugin | undefined> {
  const type = PLUGIN_TYPES.find((t) => t === stored.pluginType);
  if (type === undefined) {
    deps.logger.warn(
      { type: stored.pluginType, scope: stored.scope },
      `ignoring a stored configuration of unknown plugin type ${stored.pluginType}`,
    );
    return undefined;
  }
  try {
    const definition = registry.definition(type, stored.pluginName);
    const settings =
      definition === undefined
        ? stored.settings
        : pluginSettings(definition, stored.settings, deps.config);
    const credentials =
      stored.secrets === null
        ? {}
        : await openCredentials(
            deps.keyring,
            stored.secrets,
            credentialsContext(type, stored.pluginName, stored.scope),
          );
    return registry.configure(
      type,
      stored.pluginName,
      { ...settings, ...credentials },
      stored.scope,
    );
  } catch (error) {
    const reason = describeFailure(error);
    deps.logger.error(
      { type, plugin: stored.pluginName, scope: stored.scope },
      `channel ${stored.scope}: the ${stored.pluginName} configuration was refused: ${reason}`,
    );
    registry.refuse(type, stored.pluginName, reason, stored.scope);
    return undefined;
  }
}

function describeFailure(error: unknown): string {
  const message = (error as Error).message;
  return isAppError(error) && error.hint !== undefined ? `${message} (${error.hint})` : message;
}
