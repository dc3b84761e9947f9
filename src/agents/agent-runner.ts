import { z } from 'zod';
import type { AgentCall, AgentRunner } from '../engine/runners.js';
import { isRetryable, StepError, StepPauseError } from '../engine/step-errors.js';
import { formatProblem } from '../errors/problem.js';
import { zodProblems } from '../errors/zod-problems.js';
import type { JsonObject } from '../store/sql.js';
import type { AgentDeps } from './agent-context.js';
import { createInput, createInTracker } from './create-in-tracker.js';
import { implement, implementInput } from './development-agent.js';
import { addressFeedback, addressInput } from './address-feedback.js';
import { breakdown, breakdownInput, plan, planInput } from './planning-agent.js';
import { analyseRepository } from './repository-analysis.js';
import { removeRunWorkspaces } from './run-workspaces.js';

const analyseInput = z.looseObject({
  mode: z.literal('analyse'),
  repository: z.string().min(1),
  task: z
    .looseObject({
      key: z.string().optional(),
      title: z.string().optional(),
      description: z.string().optional(),
      labels: z.array(z.string()).optional(),
    })
    .optional(),
});

type Mode = (deps: AgentDeps, call: AgentCall) => Promise<JsonObject>;

/** Each agent's modes (the step's `mode` input), the first one its default. */
const MODES: Readonly<Record<string, Readonly<Record<string, Mode>>>> = {
  development: {
    implement: (deps, call) => implement(deps, call, parse(implementInput, call)),
    address_feedback: (deps, call) => addressFeedback(deps, call, parse(addressInput, call)),
    analyse: async (deps, call) => {
      const input = parse(analyseInput, call);
      return {
        analysis: await analyseRepository({
          actions: deps.actions,
          call,
          repository: input.repository,
          task: input.task ?? {},
          tokenBudget: deps.settings.contextTokens,
        }),
      };
    },
  },
  planning: {
    plan: (deps, call) => plan(deps, call, parse(planInput, call)),
    breakdown: (deps, call) => breakdown(deps, call, parse(breakdownInput, call)),
    create: (deps, call) => createInTracker(deps.actions, call, parse(createInput, call)),
  },
};

/**
 * Runs `ai_action` steps: the development agent (analyse a repository, implement a task) and
 * the planning agent (plan a task, break requirements down, create the breakdown in the
 * tracker). A failure the model cannot recover from clears the saved conversation, so that a
 * retried step starts afresh; a pause, an outage or a stop keeps it, so the step resumes.
 */
export class AiAgentRunner implements AgentRunner {
  constructor(private readonly deps: AgentDeps) {}

  async run(call: AgentCall): Promise<unknown> {
    const modes = MODES[call.agent];
    if (modes === undefined)
      throw new StepError(`there is no ${call.agent} agent`, { code: 'invalid_input' });
    const name = typeof call.input.mode === 'string' ? call.input.mode : Object.keys(modes)[0];
    const mode = name === undefined ? undefined : modes[name];
    if (mode === undefined || name === undefined)
      throw new StepError(
        `the ${call.agent} agent has no mode ${JSON.stringify(call.input.mode)}; its modes are ${Object.keys(modes).join(', ')}`,
        { code: 'invalid_input' },
      );
    const withMode = { ...call, input: { ...call.input, mode: name } };
    try {
      return await mode(this.deps, withMode);
    } catch (error) {
      // An aborted call (the worker stopping or losing the run, a timeout, a cancel) is not the
      // model's failure: the conversation stays for whoever runs the step next.
      if (!call.signal.aborted && !(error instanceof StepPauseError) && !isRetryable(error))
        await this.deps.store.agentSessions.remove(call.idempotencyKey).catch(() => undefined);
      throw error;
    }
  }

  /** Removes the run's working copies once the run is over. */
  runEnded(runId: string): Promise<void> {
    return removeRunWorkspaces(this.deps.settings.dataDir, runId);
  }
}

function parse<S extends z.ZodType>(schema: S, call: AgentCall): z.output<S> {
  const parsed = schema.safeParse(call.input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = zodProblems(parsed.error).map(formatProblem).join('; ');
  throw new StepError(`inputs of the ${call.agent} agent: ${problems}`, { code: 'invalid_input' });
}
