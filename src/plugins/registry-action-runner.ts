import type { ActionCall, ActionRunner } from '../engine/runners.js';
import { StepError } from '../engine/step-errors.js';
import { isAppError } from '../errors/app-error.js';
import { scrubSecrets } from '../log/scrub-secrets.js';
import type { PluginType } from './action-signature.js';
import type { ActionContext } from './plugin.js';
import type { PluginRegistry } from './plugin-registry.js';

type Implementation = (input: unknown, context: ActionContext) => Promise<unknown>;

/** Runs workflow plugin actions on the plugin the registry has for the run's channel. */
export class RegistryActionRunner implements ActionRunner {
  constructor(private readonly registry: PluginRegistry) {}

  async run(call: ActionCall): Promise<unknown> {
    let resolved;
    try {
      resolved = this.registry.resolve(call.plugin as PluginType, call.run.channelId);
    } catch (error) {
      if (isAppError(error))
        throw new StepError(
          `${error.message}${error.hint === undefined ? '' : ` (${error.hint})`}`,
          { code: 'plugin_not_configured', cause: error },
        );
      throw error;
    }
    const { plugin, connection, configError } = resolved;
    if (configError !== undefined) {
      throw new StepError(
        `the ${plugin.name} plugin is misconfigured for this channel: ${configError}`,
        {
          code: 'plugin_misconfigured',
        },
      );
    }
    try {
      // A plugin that could not connect is tried on this call (each retry of the step is a
      // real attempt, issue 16), joining an attempt of the background reconnection if one runs.
      await connection.ensure();
    } catch (error) {
      throw new StepError(
        `the ${plugin.name} plugin cannot connect: ${scrubSecrets((error as Error).message)}; aidev keeps trying, and the step's next attempt tries again`,
        { code: 'plugin_unavailable', retryable: true, cause: error },
      );
    }
    const implementation = (plugin.actions as Record<string, Implementation | undefined>)[
      call.action
    ];
    if (implementation === undefined) {
      throw new StepError(
        `the ${plugin.name} plugin does not implement ${call.plugin}.${call.action}`,
        { code: 'action_not_implemented' },
      );
    }
    return implementation(call.input, {
      idempotencyKey: call.idempotencyKey,
      signal: call.signal,
      log: call.log,
      run: call.run,
    });
  }
}
