import type { z } from 'zod';
import type { RunInfo } from '../engine/runners.js';
import type { Logger } from '../log/create-logger.js';
import type { Guards } from '../resilience/guards.js';
import type { Store } from '../store/store.js';
import type { ActionSignature, PluginType } from './action-signature.js';
import type { communicationActions } from './interfaces/communication.js';
import type { documentationActions } from './interfaces/documentation.js';
import type { taskManagementActions } from './interfaces/task-management.js';
import type { ForgeIdentity, versionControlActions } from './interfaces/version-control.js';

/** What an action implementation gets besides its input. */
export interface ActionContext {
  /** The same for every attempt of a workflow step: find and reuse what an earlier attempt made. */
  readonly idempotencyKey: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly run: RunInfo;
}

type Implementations<S extends readonly ActionSignature[]> = {
  readonly [A in S[number] as A['action']]: (
    input: z.output<A['input']>,
    context: ActionContext,
  ) => Promise<z.input<A['output']>>;
};

/** The actions each plugin type implements, typed from their signatures. */
export interface PluginActions {
  readonly task_management: Implementations<typeof taskManagementActions>;
  readonly version_control: Implementations<typeof versionControlActions>;
  readonly documentation: Implementations<typeof documentationActions>;
  readonly communication: Implementations<typeof communicationActions>;
}

export interface PluginHealth {
  readonly ok: boolean;
  readonly detail: string;
}

/** A configured integration: a name, its actions, and its connection's lifecycle. */
export interface Plugin<T extends PluginType = PluginType> {
  readonly type: T;
  readonly name: string;
  readonly actions: PluginActions[T];
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  health(): Promise<PluginHealth>;
  /**
   * Version control plugins on a forge (GitHub): who aidev is there, for the pull request
   * loop to tell its own comments from people's and to know when it is called. Plugins with
   * no account (local git) leave it out.
   */
  identity?(): Promise<ForgeIdentity>;
}

/** What a plugin may use from aidev. */
export interface PluginContext {
  readonly logger: Logger;
  readonly store: Store;
  /** Rate limit, breaker and retries per outside service. */
  readonly guards: Guards;
  /** aidev's data directory (local backends keep their files here). */
  readonly dataDir: string;
  /**
   * Directories outside the data directory that the settings file lets local backends use
   * (`local_git.allowed_paths`); none when unset. Only the installer's file can set them, never a
   * channel's stored configuration.
   */
  readonly allowedPaths?: readonly string[];
  /**
   * The clock (ms since the epoch) by which a plugin keeps things for a time, such as tokens;
   * Date.now unless a test moves it.
   */
  readonly now?: () => number;
}

/** How to build a plugin from its validated configuration. */
export interface PluginDefinition<
  T extends PluginType = PluginType,
  C extends z.ZodType = z.ZodType,
> {
  readonly type: T;
  readonly name: string;
  readonly description: string;
  readonly configSchema: C;
  /** Configuration fields that are credentials: stored encrypted, never shown. */
  readonly secretFields?: readonly string[];
  /**
   * Its connection and health check use aidev's database (the local tracker keeps its tasks
   * there): they need the schema up to date, so `config check` leaves it out while migrations
   * are pending, and says so.
   */
  readonly needsSchema?: boolean;
  create(config: z.output<C>, context: PluginContext): Plugin<T>;
}

/** Declares a plugin definition with its types inferred. */
export function definePlugin<T extends PluginType, C extends z.ZodType>(
  definition: PluginDefinition<T, C>,
): PluginDefinition<T, C> {
  return definition;
}
