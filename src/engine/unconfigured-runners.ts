import type { AgentCall, AgentRunner } from './runners.js';
import { StepError } from './step-errors.js';

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
