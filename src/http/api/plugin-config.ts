import { z } from 'zod';
import type { App } from '../../app/create-app.js';
import { applyStoredConfiguration, pluginSettings } from '../../app/plugins.js';
import { describeZodError } from '../../errors/zod-problems.js';
import { formatPath } from '../../errors/problem.js';
import { scrubSecrets } from '../../log/scrub-secrets.js';
import type { PluginType } from '../../plugins/action-signature.js';
import type { PluginDefinition } from '../../plugins/plugin.js';
import { GLOBAL_SCOPE } from '../../plugins/plugin-registry.js';
import {
  credentialsContext,
  openCredentials,
  sealCredentials,
} from '../../security/credentials.js';
import type { Keyring } from '../../security/keyring.js';
import type { PluginConfiguration } from '../../store/repositories/plugin-configurations.js';
import type { JsonObject } from '../../store/sql.js';
import { problem, validationProblem, type FieldError } from '../problem.js';
import type { Principal } from './authenticate.js';

export const pluginConfigSchema = z
  .object({
    type: z.string(),
    name: z.string(),
    scope: z.string().describe('`*` for the global configuration, else the channel'),
    source: z
      .enum(['database', 'configuration'])
      .describe('stored through the API, or aidev.config.yaml and the environment'),
    enabled: z.boolean(),
    settings: z.record(z.string(), z.unknown()).describe('never credentials'),
    secret_fields: z.array(z.string()).describe('the plugin’s credentials (write-only)'),
    secrets_set: z.array(z.string()).describe('which credentials have a value (never the values)'),
    updated_by: z.string().nullable(),
    updated_at: z.iso.datetime({ offset: true }).nullable(),
  })
  .meta({ id: 'PluginConfiguration' });

export const putConfigBody = z.strictObject({
  settings: z.record(z.string(), z.unknown()).default({}),
  secrets: z
    .record(z.string(), z.string().min(1).nullable())
    .optional()
    .describe(
      'credentials to set (null removes one); the others are kept. Stored encrypted, never returned',
    ),
  enabled: z.boolean().optional(),
});

type View = z.input<typeof pluginConfigSchema>;

export interface PluginConfigDeps {
  readonly app: App;
  readonly keyring: Keyring;
}

export function definitionOr404(app: App, type: PluginType, name: string): PluginDefinition {
  const definition = app.plugins.definition(type, name);
  if (definition === undefined)
    throw problem(404, 'not-found', `there is no ${type} plugin named ${JSON.stringify(name)}`);
  return definition;
}

/** The configuration as the API shows it: settings, and only the names of credentials set. */
export async function configView(
  deps: PluginConfigDeps,
  definition: PluginDefinition,
  scope: string,
): Promise<View> {
  const { app } = deps;
  const secretFields = [...(definition.secretFields ?? [])];
  const base = { type: definition.type, name: definition.name, scope, secret_fields: secretFields };
  if (scope === GLOBAL_SCOPE) {
    const choice = app.config.plugins.choices[definition.type];
    const all =
      choice.use === definition.name ? pluginSettings(definition, choice.settings, app.config) : {};
    return {
      ...base,
      source: 'configuration',
      enabled: choice.use === definition.name,
      settings: withoutSecrets(all, secretFields),
      secrets_set: secretFields.filter((f) => all[f] !== undefined),
      updated_by: null,
      updated_at: null,
    };
  }
  const stored = await app.store.plugins.get(definition.type, definition.name, scope);
  if (stored === null)
    throw problem(
      404,
      'not-found',
      `channel ${scope} has no ${definition.name} configuration of its own; it uses the global ${definition.type} plugin`,
    );
  return storedView(deps, stored, secretFields);
}

async function storedView(
  deps: PluginConfigDeps,
  stored: PluginConfiguration,
  secretFields: string[],
): Promise<View> {
  return {
    type: stored.pluginType,
    name: stored.pluginName,
    scope: stored.scope,
    source: 'database',
    enabled: stored.enabled,
    settings: stored.settings,
    secret_fields: secretFields,
    secrets_set: Object.keys(await storedCredentials(deps, stored)).sort(),
    updated_by: stored.updatedBy,
    updated_at: stored.updatedAt.toISOString(),
  };
}

async function storedCredentials(deps: PluginConfigDeps, stored: PluginConfiguration | null) {
  if (stored?.secrets == null) return {};
  const context = credentialsContext(stored.pluginType, stored.pluginName, stored.scope);
  return openCredentials(deps.keyring, stored.secrets, context);
}

function withoutSecrets(
  settings: Record<string, unknown>,
  secretFields: readonly string[],
): JsonObject {
  return Object.fromEntries(
    Object.entries(settings).filter(
      ([key, value]) => !secretFields.includes(key) && value !== undefined,
    ),
  ) as JsonObject;
}

/**
 * Stores a channel's own configuration of a plugin, its credentials sealed, and puts it to
 * work in this process at once (other processes read it when they start). A channel has one
 * plugin of each type: storing this one removes the channel's others of the same type.
 */
export async function putChannelConfig(
  deps: PluginConfigDeps,
  definition: PluginDefinition,
  scope: string,
  body: z.output<typeof putConfigBody>,
  principal: Principal,
): Promise<{ view: View; before: View | null; health: { ok: boolean; detail: string } }> {
  const { app, keyring } = deps;
  const secretFields = definition.secretFields ?? [];
  const previous = await app.store.plugins.get(definition.type, definition.name, scope);
  const before = previous === null ? null : await storedView(deps, previous, [...secretFields]);
  const credentials: Record<string, string> = { ...(await storedCredentials(deps, previous)) };
  for (const [field, value] of Object.entries(body.secrets ?? {})) {
    if (value === null) delete credentials[field];
    else credentials[field] = value;
  }
  checkConfiguration(deps, definition, body.settings, body.secrets ?? {}, credentials);
  const context = credentialsContext(definition.type, definition.name, scope);
  const sealed =
    Object.keys(credentials).length === 0
      ? null
      : await sealCredentials(keyring, credentials, context);
  const stored = await app.store.transaction(async (tx) => {
    for (const other of await tx.plugins.list())
      if (
        other.pluginType === definition.type &&
        other.scope === scope &&
        other.pluginName !== definition.name
      )
        await tx.plugins.remove(other.pluginType, other.pluginName, scope);
    return tx.plugins.upsert({
      pluginType: definition.type,
      pluginName: definition.name,
      scope,
      settings: body.settings as JsonObject,
      secrets: sealed,
      enabled: body.enabled ?? previous?.enabled ?? true,
      updatedBy: principal.actor,
    });
  });
  const health = stored.enabled
    ? await putToWork(deps, stored)
    : { ok: true, detail: 'disabled: used again once enabled and aidev restarts' };
  return { view: await storedView(deps, stored, [...secretFields]), before, health };
}

/** Every problem at once: credentials only under `secrets`, then the plugin's own schema. */
function checkConfiguration(
  deps: PluginConfigDeps,
  definition: PluginDefinition,
  settings: Record<string, unknown>,
  given: Record<string, unknown>,
  credentials: Record<string, string>,
): void {
  const secretFields = definition.secretFields ?? [];
  const errors: FieldError[] = [];
  for (const key of Object.keys(settings))
    if (secretFields.includes(key))
      errors.push({
        path: `settings.${key}`,
        message: 'a credential: send it under secrets, which are stored encrypted',
        in: 'body',
      });
  for (const key of Object.keys(given))
    if (!secretFields.includes(key))
      errors.push({
        path: `secrets.${key}`,
        message: `not a credential of the ${definition.name} plugin; its credentials are ${secretFields.join(', ') || 'none'}`,
        in: 'body',
      });
  if (errors.length > 0) throw validationProblem(errors);
  const full = { ...pluginSettings(definition, settings, deps.app.config), ...credentials };
  const parsed = definition.configSchema.safeParse(full, { reportInput: true });
  if (parsed.success) return;
  const isSecret = (path: readonly PropertyKey[]) => secretFields.includes(String(path[0]));
  throw validationProblem(
    describeZodError(parsed.error, { isSecret, schema: definition.configSchema }).map((issue) => ({
      path: `${isSecret(issue.path) ? 'secrets' : 'settings'}.${formatPath(issue.path)}`,
      message: issue.message,
      in: 'body',
    })),
  );
}

/** Configures the stored configuration in this process's registry and connects it. */
async function putToWork(
  deps: PluginConfigDeps,
  stored: PluginConfiguration,
): Promise<{ ok: boolean; detail: string }> {
  const { app } = deps;
  const type = stored.pluginType as PluginType;
  const global = safely(() => app.plugins.resolve(type).plugin);
  const previous = safely(() => app.plugins.resolve(type, stored.scope).plugin);
  const plugin = await applyStoredConfiguration(app.plugins, stored, {
    config: app.config,
    keyring: deps.keyring,
    logger: app.logger,
  });
  if (previous !== undefined && previous !== global && previous !== plugin)
    await previous
      .disconnect()
      .catch((error: unknown) =>
        app.logger.warn({ err: error }, 'disconnecting the replaced plugin failed'),
      );
  if (plugin === undefined)
    return { ok: false, detail: 'the configuration was refused (see the log)' };
  try {
    const health = await withTimeout(CONNECT_TIMEOUT_MS, async () => {
      await plugin.connect();
      return plugin.health();
    });
    // The vendor's answer may echo the credentials just stored.
    return { ok: health.ok, detail: scrubSecrets(health.detail) };
  } catch (error) {
    const reason = `could not connect: ${scrubSecrets((error as Error).message)}`;
    app.plugins.refuse(type, stored.pluginName, reason, stored.scope);
    return { ok: false, detail: reason };
  }
}

/** Long enough for a slow vendor, short enough for an HTTP request. */
const CONNECT_TIMEOUT_MS = 10_000;

async function withTimeout<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
