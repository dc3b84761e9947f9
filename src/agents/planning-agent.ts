import { z } from 'zod';
import { displayUsd } from '../costs/money.js';
import type { AgentCall } from '../engine/runners.js';
import type { JsonObject } from '../store/sql.js';
import { callMeta, modelOf, openSession, type AgentDeps } from './agent-context.js';
import { defineTool, runModelLoop } from './model-loop.js';
import { openPlanningReading, type PlanningReading } from './planning-reading.js';
import { logToolCall } from './run-log.js';
import { breakdownSchema, breakdownText, planSchema, planText, type Plan } from './plan-schema.js';

export const planInput = z.looseObject({
  mode: z.literal('plan'),
  task: z.looseObject({ key: z.string(), title: z.string(), description: z.string() }),
  analysis: z
    .looseObject({ summary: z.string().optional(), relevant_files: z.unknown().optional() })
    .optional(),
  /** The repository to read while planning, at `branch` (default: its default branch). */
  repository: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  /** A revision: the plan that was rejected, and what the reviewer said. */
  previous_plan: z.unknown().optional(),
  feedback: z.string().nullable().optional(),
});

export const breakdownInput = z.looseObject({
  mode: z.literal('breakdown'),
  requirements: z.string().min(1),
  project: z.string().min(1),
});

/** Turns a plan's complexity into the number of development turns it usually takes. */
const TURNS = { small: 8, medium: 16, large: 30 } as const;

/**
 * A plan for a task, before any code is written: one answer through the submit_plan tool,
 * checked against the plan schema (a plan that does not fit goes back to the model with the
 * problems). With feedback on a rejected plan, the revision answers that feedback.
 */
export async function plan(
  deps: AgentDeps,
  call: AgentCall,
  input: z.output<typeof planInput>,
): Promise<JsonObject> {
  const revising = input.feedback != null && input.feedback.trim() !== '';
  const reading =
    input.repository === undefined
      ? undefined
      : await openPlanningReading(deps, call, input.repository, input.branch);
  const result = await answerWithTool(deps, call, {
    ...(reading === undefined ? {} : { reading }),
    tool: 'submit_plan',
    description: 'Submit the plan.',
    schema: planSchema,
    message: [
      deps.prompts.render('plan_task', {
        task: input.task,
        analysis: input.analysis?.summary ?? 'not analysed',
      }),
      ...(revising
        ? [
            deps.prompts.render('revise_plan', {
              previous_plan: previousPlanText(input.previous_plan),
              feedback: input.feedback ?? '',
            }),
          ]
        : []),
    ].join('\n\n'),
  }).finally(() => reading?.close());
  const planned = planSchema.parse(result);
  const estimate = await implementationEstimate(deps, call, planned, input.analysis);
  return {
    plan: {
      ...planned,
      text: planText(planned),
      estimated_cost_usd: estimate,
      revision: revising ? revisionOf(input.previous_plan) + 1 : 0,
    },
  };
}

export async function breakdown(
  deps: AgentDeps,
  call: AgentCall,
  input: z.output<typeof breakdownInput>,
): Promise<JsonObject> {
  const result = await answerWithTool(deps, call, {
    tool: 'submit_breakdown',
    description: 'Submit the epics and tasks.',
    schema: breakdownSchema,
    message: deps.prompts.render('breakdown', {
      requirements: input.requirements,
      project: input.project,
    }),
  });
  const parsed = breakdownSchema.parse(result);
  return { breakdown: parsed as JsonObject, breakdown_text: breakdownText(parsed) };
}

/** Turns the planning agent may take reading the repository before it answers. */
const READING_TURNS = 12;

/**
 * A conversation whose only way out is one valid call of `tool`; with `reading`, the model may
 * first look at the repository with read-only tools, within a few turns.
 */
async function answerWithTool(
  deps: AgentDeps,
  call: AgentCall,
  options: {
    tool: string;
    description: string;
    schema: z.ZodType;
    message: string;
    reading?: PlanningReading;
  },
): Promise<JsonObject> {
  const { reading } = options;
  const session = await openSession(deps.store, call, () => ({
    firstMessage: options.message,
    data: {},
  }));
  return runModelLoop({
    model: deps.model,
    ...(deps.monitoring === undefined ? {} : { monitoring: deps.monitoring }),
    request: {
      model: await modelOf(deps, call),
      // Fixed at the first turn (a resumed step sends the prefix its conversation began with).
      system: session.loop.prefix?.system ?? [
        { text: deps.prompts.render('planning_system', {}), cache: reading === undefined },
        ...(reading === undefined || reading.instructions === ''
          ? []
          : [{ text: reading.instructions, cache: true }]),
        ...(reading === undefined ? [] : [{ text: READING_NOTE, cache: true }]),
      ],
      maxTokens: deps.settings.maxOutputTokens,
      cache: { tools: true, conversation: false },
    },
    tools: [
      ...(reading?.tools ?? []),
      defineTool(options.tool, options.description, options.schema, (answer) =>
        Promise.resolve({ content: 'received', finish: answer as JsonObject }),
      ),
    ],
    state: session.loop,
    maxTurns: reading === undefined ? 4 : READING_TURNS,
    meta: callMeta(call),
    save: () => session.save(),
    nudge: `Answer by calling ${options.tool} with the whole answer.`,
    ...(deps.settings.context === undefined ? {} : { context: deps.settings.context }),
    onToolCall: logToolCall(call),
  });
}

/** About what implementing the plan will cost: typical turns for its size, at this model's prices. */
async function implementationEstimate(
  deps: AgentDeps,
  call: AgentCall,
  planned: Plan,
  analysis: { relevant_files?: unknown } | undefined,
): Promise<string> {
  const model = await modelOf(deps, call);
  const turns = TURNS[planned.complexity];
  const files = Array.isArray(analysis?.relevant_files)
    ? (analysis.relevant_files as { tokens?: number }[])
    : [];
  const context = 3_000 + files.reduce((sum, f) => sum + (f.tokens ?? 0), 0);
  // Each turn reads the context and the conversation so far from the cache, writes its new
  // part, and answers: the conversation grows by about 1,500 tokens a turn.
  let units = 0n;
  for (let turn = 0; turn < turns; turn++)
    units += deps.model.prices.cost(model, {
      inputTokens: 200,
      cacheReadTokens: context + turn * 1_500,
      cacheWriteTokens: 1_500,
      outputTokens: 600,
    });
  return displayUsd(units);
}

const READING_NOTE = `You may read the repository before you answer: view files and directories with str_replace_based_edit_tool, and run read-only commands (grep -rn, find, git log) with bash, in a working copy mounted read-only. You have ${READING_TURNS} turns in all: read what the plan needs, then answer.`;

function previousPlanText(previous: unknown): string {
  const parsed = planSchema.safeParse(stripExtras(previous));
  if (parsed.success) return planText(parsed.data);
  return typeof previous === 'string' ? previous : JSON.stringify(previous ?? null, null, 2);
}

function stripExtras(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const {
    text: _t,
    estimated_cost_usd: _e,
    revision: _r,
    ...rest
  } = value as Record<string, unknown>;
  return rest;
}

function revisionOf(previous: unknown): number {
  const revision = (previous as { revision?: unknown } | null)?.revision;
  return typeof revision === 'number' ? revision : 0;
}
