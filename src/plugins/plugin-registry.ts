import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { didYouMeanSuffix } from '../errors/did-you-mean.js';
import { formatPath } from '../errors/problem.js';
import { describeZodError } from '../errors/zod-problems.js';
import { scrubSecrets } from '../log/scrub-secrets.js';
import type { Logger } from '../log/create-logger.js';
import { Reconnector, type ReconnectTiming } from '../resilience/reconnector.js';
import { PLUGIN_TYPES, type PluginType } from './action-signature.js';
import type { Plugin, PluginContext, PluginDefinition } from './plugin.js';

/** `*` is the configuration every channel gets unless it has its own. */
export const GLOBAL_SCOPE = '*';

export interface PluginStatus {
  readonly type: PluginType;
  readonly name: string;
  readonly scope: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A configured plugin, its connection, and why its configuration was refused (if it was). */
export interface PluginInstance {
  readonly plugin: Plugin;
  /**
   * Its connection to the vendor: a plugin that could not connect is kept, isolated, reports
   * why, and is connected again in the background or by its next call.
   */
  readonly connection: Reconnector;
  /** Set when the configuration for this scope was refused: its calls fail saying why. */
  readonly configError?: string;
}

const HEALTH_TIMEOUT_MS = 5_000;

export interface PluginRegistryOptions {
  /**
   * Backoff of the attempts to connect a plugin that could not (default: 1 s doubling to
   * 60 s), or `false` for none: a one-off check reports the first attempt's failure.
   */
  readonly reconnect?: ReconnectTiming | false;
}

/**
 * Knows every plugin definition (built in, or loaded from an npm package), builds configured
 * instances — globally or for one channel — and keeps one plugin's failure from reaching the
 * others: a plugin that cannot connect is reported unhealthy, only its own calls fail, and it
 * is connected again as soon as its vendor answers.
 */
export class PluginRegistry {
  private readonly definitions = new Map<string, PluginDefinition>();
  private readonly instances = new Map<string, PluginInstance>();
  private readonly logger: Logger;

  constructor(
    private readonly context: PluginContext,
    private readonly options: PluginRegistryOptions = {},
  ) {
    this.logger = context.logger;
  }

  register(definition: PluginDefinition): void {
    const key = `${definition.type}/${definition.name}`;
    if (this.definitions.has(key))
      throw new AppError(
        'conflict',
        `a ${definition.type} plugin named ${definition.name} is already registered`,
      );
    this.definitions.set(key, definition);
  }

  definition(type: PluginType, name: string): PluginDefinition | undefined {
    return this.definitions.get(`${type}/${name}`);
  }

  available(type?: PluginType): { type: PluginType; name: string; description: string }[] {
    return [...this.definitions.values()]
      .filter((d) => type === undefined || d.type === type)
      .map((d) => ({ type: d.type, name: d.name, description: d.description }));
  }

  /** Loads third-party plugins: the package exports `plugins`, a list of plugin definitions. */
  async loadPackage(
    specifier: string,
    // eslint-disable-next-line no-restricted-syntax -- the one place aidev loads code by name: the plugin packages the settings file lists.
    importer: (specifier: string) => Promise<unknown> = (s) => import(s),
  ): Promise<string[]> {
    let module: unknown;
    try {
      module = await importer(specifier);
    } catch (error) {
      throw new AppError(
        'invalid_input',
        `plugins: cannot load the package ${JSON.stringify(specifier)} (${(error as Error).message})`,
        {
          cause: error,
          hint: `install it with npm install ${specifier}`,
        },
      );
    }
    const parsed = packageSchema.safeParse(module);
    if (!parsed.success) {
      const why = describeZodError(parsed.error)
        .map((i) => `${formatPath(i.path)}: ${i.message}`)
        .join('; ');
      throw new AppError(
        'invalid_input',
        `plugins: ${specifier} does not export plugin definitions (${why})`,
      );
    }
    const definitions = parsed.data.plugins as unknown as PluginDefinition[];
    for (const definition of definitions) this.register(definition);
    return definitions.map((d) => `${d.type}/${d.name}`);
  }

  /**
   * Validates a configuration and builds the plugin it describes, for every channel (`*`) or
   * one. A configuration that does not fit the plugin's schema is refused field by field.
   */
  configure(type: PluginType, name: string, config: unknown, scope = GLOBAL_SCOPE): Plugin {
    const definition = this.definitions.get(`${type}/${name}`);
    if (definition === undefined) {
      const names = this.available(type).map((d) => d.name);
      throw new AppError(
        'config_invalid',
        `plugins.${type}: expected one of ${names.join(', ') || '(none registered)'}, found ${JSON.stringify(name)}${didYouMeanSuffix(name, names)}`,
      );
    }
    const parsed = definition.configSchema.safeParse(config ?? {}, { reportInput: true });
    if (!parsed.success) {
      const secret = new Set(definition.secretFields ?? []);
      const lines = describeZodError(parsed.error, {
        isSecret: (path) => secret.has(String(path[0])),
        schema: definition.configSchema,
      }).map((issue) => `plugins.${type}.${name}.${formatPath(issue.path)}: ${issue.message}`);
      throw new AppError('config_invalid', lines.join('\n'), {
        hint: `fix the ${name} plugin's configuration`,
      });
    }
    const plugin = definition.create(parsed.data, this.context);
    this.put(type, scope, { plugin, connection: this.connectionOf(plugin, scope) });
    return plugin;
  }

  /**
   * Keeps a refused configuration's place (a channel's override that does not validate): the
   * channel's calls fail with the reason instead of silently using the global plugin.
   */
  refuse(type: PluginType, name: string, reason: string, scope = GLOBAL_SCOPE): void {
    const plugin: Plugin = {
      type,
      name,
      // No action can run on a refused configuration; the runner reports configError instead.
      actions: {} as Plugin['actions'],
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      health: () => Promise.resolve({ ok: false, detail: `misconfigured: ${reason}` }),
    };
    this.put(type, scope, {
      plugin,
      connection: this.connectionOf(plugin, scope),
      configError: reason,
    });
  }

  /**
   * Connects every configured plugin, waiting for each one's first attempt. One that fails is
   * isolated and reported, never thrown, and tried again in the background with backoff.
   */
  async connectAll(): Promise<void> {
    await Promise.all([...this.instances.values()].map((i) => i.connection.start()));
  }

  /** Stops the reconnection attempts, then disconnects every plugin. */
  async disconnectAll(): Promise<void> {
    for (const instance of this.instances.values()) instance.connection.stop();
    await Promise.all(
      [...this.instances.values()].map((i) =>
        i.plugin
          .disconnect()
          .catch((error: unknown) =>
            this.logger.warn({ err: error }, `disconnecting ${i.plugin.name} failed`),
          ),
      ),
    );
  }

  /** The plugin of `type` for a channel (its own configuration, else the global one). */
  resolve(type: PluginType, channelId?: string | null): PluginInstance {
    const instance =
      (channelId == null ? undefined : this.instances.get(`${type}/${channelId}`)) ??
      this.instances.get(`${type}/${GLOBAL_SCOPE}`);
    if (instance === undefined) {
      throw new AppError('not_found', `no ${type} plugin is configured`, {
        hint: `choose one under plugins.${type} in aidev.config.yaml`,
      });
    }
    return instance;
  }

  /** A replaced configuration's reconnection attempts stop with it. */
  private put(type: PluginType, scope: string, instance: PluginInstance): void {
    this.instances.get(`${type}/${scope}`)?.connection.stop();
    this.instances.set(`${type}/${scope}`, instance);
  }

  private connectionOf(plugin: Plugin, scope: string): Reconnector {
    return new Reconnector({
      name: `the ${plugin.name} plugin${scope === GLOBAL_SCOPE ? '' : ` of channel ${scope}`}`,
      service: plugin.name,
      connect: () => plugin.connect(),
      logger: this.logger.child({ plugin: plugin.name, type: plugin.type, scope }),
      ...(this.options.reconnect === false ? { background: false } : this.options.reconnect),
    });
  }

  /**
   * Every configured plugin's health, each checked on its own with a time limit. The details
   * quote vendors' answers and reach the API: secrets are scrubbed from them.
   */
  async health(): Promise<PluginStatus[]> {
    const statuses = await Promise.all(
      [...this.instances.entries()].map(async ([key, instance]): Promise<PluginStatus> => {
        const scope = key.slice(key.indexOf('/') + 1);
        const base = { type: instance.plugin.type, name: instance.plugin.name, scope };
        const { state } = instance.connection;
        if (state === 'retrying' || state === 'connecting')
          return { ...base, ...instance.connection.status() };
        try {
          const health = await Promise.race([
            instance.plugin.health(),
            sleep(HEALTH_TIMEOUT_MS, undefined, { ref: false }).then(() => ({
              ok: false,
              detail: `no answer within ${HEALTH_TIMEOUT_MS} ms`,
            })),
          ]);
          return { ...base, ...health };
        } catch (error) {
          return { ...base, ok: false, detail: (error as Error).message };
        }
      }),
    );
    return statuses.map((status) => ({ ...status, detail: scrubSecrets(status.detail) }));
  }
}

const definitionShape = z.looseObject({
  type: z.enum(PLUGIN_TYPES),
  name: z.string().regex(/^[a-z][a-z0-9_-]*$/),
  description: z.string(),
  configSchema: z.custom<z.ZodType>((value) => value instanceof z.ZodType, {
    error: 'expected a zod schema',
  }),
  create: z.custom<(...args: unknown[]) => unknown>((value) => typeof value === 'function', {
    error: 'expected a function',
  }),
});
const packageSchema = z.looseObject({ plugins: z.array(definitionShape).min(1) });
