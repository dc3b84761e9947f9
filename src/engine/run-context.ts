import { describeValue } from '../errors/describe-value.js';
import type { Problem } from '../errors/problem.js';
import type { Run } from '../store/repositories/runs.js';
import type { RunStep } from '../store/repositories/run-steps.js';
import type { JsonObject } from '../store/sql.js';
import { ExpressionEvaluationError } from './expressions.js';
import { assignPath, formatSegments, MissingValueError, readPath } from './paths.js';
import { StepError } from './step-errors.js';
import { resolveValue, type CompiledValue } from './templates.js';
import type { InputDeclaration, Step, Workflow } from './workflow-model.js';

/**
 * The values a run's expressions see: its inputs, the workflow variables, `run`, `steps`, and
 * the outputs of the steps that finished. Rebuilt from the database whenever a run resumes,
 * so a worker that takes a run over sees exactly what the previous one saw.
 */
export type RunContext = Record<string, unknown>;

export function initialContext(run: Run, workflow: Workflow): RunContext {
  const inputs = withDefaults(run.inputs, workflow.inputs);
  const context: RunContext = {
    inputs,
    context: inputs,
    run: {
      id: run.id,
      workflow: workflow.name,
      version: workflow.version,
      channel_id: run.channelId,
      user_id: run.userId,
      trigger: run.trigger,
      task_key: run.taskKey,
    },
    steps: {},
  };
  for (const name of [...workflow.inputs.map((i) => i.name), ...workflow.implicitInputs]) {
    if (Object.hasOwn(inputs, name)) context[name] = inputs[name];
  }
  for (const [name, value] of workflow.variables) {
    context[name] = resolve(value, context, `variable ${name}`);
  }
  return context;
}

function withDefaults(given: JsonObject, declared: readonly InputDeclaration[]): JsonObject {
  const inputs: JsonObject = { ...given };
  for (const input of declared) {
    if (!Object.hasOwn(inputs, input.name) && input.default !== undefined)
      inputs[input.name] = input.default as JsonObject[string];
  }
  return inputs;
}

/** Resolves a value, turning a missing value into a step failure that names what and where. */
export function resolve(value: CompiledValue, context: RunContext, what: string): unknown {
  try {
    return resolveValue(value, context);
  } catch (error) {
    if (error instanceof MissingValueError) {
      throw new StepError(
        `${what}: ${error.expression} has ${error.message}; give a default with .?field.orValue(…) if it may be missing`,
        {
          code: 'missing_value',
          cause: error,
        },
      );
    }
    if (error instanceof ExpressionEvaluationError)
      throw new StepError(`${what}: ${error.message}`, { code: 'expression_failed', cause: error });
    throw error;
  }
}

/** Makes a finished step visible: `steps.<name>` always, its outputs when it succeeded. */
export function recordStep(context: RunContext, step: Step, row: RunStep): void {
  (context.steps as Record<string, unknown>)[step.name] = {
    status: row.status,
    outputs: row.outputs,
    error: row.error,
    attempt: row.attempt,
  };
  if (row.status === 'succeeded') applyOutputs(context, step, row.outputs);
}

/** Copies a step's declared outputs from its result into the context. */
export function applyOutputs(context: RunContext, step: Step, result: unknown): void {
  if (step.kind === 'set') {
    for (const [key, value] of Object.entries((result ?? {}) as JsonObject))
      assignPath(context, [key], value);
    return;
  }
  for (const output of step.outputs) {
    let value: unknown;
    try {
      value = readPath(result, output.from, formatSegments(output.from));
    } catch (error) {
      if (!(error instanceof MissingValueError)) throw error;
      throw new StepError(
        `step ${step.name} returned no ${formatSegments(output.from)} for outputs (it returned ${describeValue(result)})`,
        { code: 'output_missing' },
      );
    }
    assignPath(context, output.to, value);
  }
}

/** Checks the inputs a run is started with against the workflow's declarations. */
export function checkRunInputs(workflow: Workflow, inputs: JsonObject): Problem[] {
  const problems: Problem[] = [];
  for (const input of workflow.inputs) {
    const value = inputs[input.name];
    if (value === undefined) {
      if (input.required && input.default === undefined)
        problems.push({
          path: input.name,
          message: `expected a value (${input.type}), found nothing`,
        });
      continue;
    }
    if (!fitsType(value, input.type))
      problems.push({
        path: input.name,
        message: `expected ${input.type}, found ${describeValue(value)}`,
      });
  }
  const known = new Set([...workflow.inputs.map((i) => i.name), ...workflow.implicitInputs]);
  for (const name of Object.keys(inputs)) {
    if (workflow.inputs.length > 0 && !known.has(name)) {
      problems.push({
        path: name,
        message: `unknown input of workflow ${workflow.name}; its inputs are ${[...known].join(', ')}`,
      });
    }
  }
  return problems;
}

function fitsType(value: unknown, type: InputDeclaration['type']): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'any':
      return true;
  }
}
