import type { ActionCall, ActionRunner } from '../engine/runners.js';
import { StepError } from '../engine/step-errors.js';
import { isAppError } from '../errors/app-error.js';
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
    const { plugin, connectError, configError } = resolved;
    if (configError !== undefined) {
      throw new StepError(
        `the ${plugin.name} plugin is misconfigured for this channel: ${configError}`,
        {
          code: 'plugin_misconfigured',
        },
      );
    }
    if (connectError !== undefined) {
      throw new StepError(`the ${plugin.name} plugin is unavailable: ${connectError}`, {
        code: 'plugin_unavailable',
        retryable: true,
      });
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
