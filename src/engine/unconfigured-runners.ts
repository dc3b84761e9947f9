import type { ActionCall, ActionRunner, AgentCall, AgentRunner } from './runners.js';
import { StepError } from './step-errors.js';

/** What runs plugin actions when no plugin is configured: every call fails, saying so. */
export const unconfiguredActions: ActionRunner = {
  run(call: ActionCall): Promise<never> {
    return Promise.reject(
      new StepError(
        `no ${call.plugin} plugin is configured, so ${call.plugin}.${call.action} cannot run`,
        { code: 'plugin_not_configured' },
      ),
    );
  },
};

/** What runs agents when no AI provider is configured. */
export const unconfiguredAgents: AgentRunner = {
  run(call: AgentCall): Promise<never> {
    return Promise.reject(
      new StepError(`no AI provider is configured, so the ${call.agent} agent cannot run`, {
        code: 'agent_not_configured',
      }),
    );
  },
};
