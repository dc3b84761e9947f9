import { createHash } from 'node:crypto';
import { describeZodError } from '../../errors/zod-problems.js';
import type { PathSegment } from '../paths.js';
import type { CompiledValue } from '../templates.js';
import {
  BUILT_IN_NAMES,
  type InputDeclaration,
  type Step,
  type Workflow,
} from '../workflow-model.js';
import { workflowSchema } from '../workflow-schema.js';
import { Scope } from './check-references.js';
import { checkTimeouts } from './check-timeouts.js';
import { compileStep, nameProblem, type CompileEnvironment } from './compile-step.js';
import { compileField } from './compile-values.js';
import { IssueList, type WorkflowIssue } from './issues.js';

export type CompileResult =
  | { readonly ok: true; readonly workflow: Workflow; readonly warnings: readonly WorkflowIssue[] }
  | {
      readonly ok: false;
      readonly issues: readonly WorkflowIssue[];
      /** Said after the issues when there were more than are listed. */
      readonly unlisted?: string;
    };

/** Default wall-clock limit of a run when the workflow sets no `timeout`. */
export const DEFAULT_RUN_TIMEOUT_MS = 6 * 60 * 60 * 1000;

type Raw = Record<string, unknown>;

/**
 * Turns a parsed workflow file into a runnable Workflow, or lists every problem in it: its
 * structure, names, plugins, actions and agents, and what each value refers to.
 */
export function compileWorkflow(raw: unknown, env: CompileEnvironment): CompileResult {
  const issues = new IssueList();
  const parsed = workflowSchema.safeParse(raw ?? {}, { reportInput: true });
  if (!parsed.success) {
    for (const issue of describeZodError(parsed.error, { schema: workflowSchema })) {
      issues.add(
        issue.path as PathSegment[],
        issue.message,
        issue.key === undefined ? {} : { key: issue.key },
      );
    }
  }
  const top: Raw =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Raw) : {};
  const rawSteps = Array.isArray(top.steps) ? (top.steps as unknown[]) : [];
  const rawFailure = Array.isArray(top.on_failure) ? (top.on_failure as unknown[]) : [];

  const inputs = compileInputs(parsed.success ? parsed.data.inputs : undefined, issues);
  const steps = rawSteps.map((s, i) => compileStep(s, ['steps', i], i, env, issues));
  const onFailure = rawFailure.map((s, i) =>
    compileStep(s, ['on_failure', i], rawSteps.length + i, env, issues),
  );
  onFailure.forEach((step, i) => {
    if (step?.kind === 'approval')
      issues.add(
        ['on_failure', i, 'type'],
        'expected a step that does not wait: approval gates cannot run after a failure',
      );
  });
  checkUniqueNames(
    [
      ...rawSteps.map((s, i) => ['steps', i, s] as const),
      ...rawFailure.map((s, i) => ['on_failure', i, s] as const),
    ],
    issues,
  );

  const setBy = outputRoots(rawSteps);
  const stepNames = new Map(
    rawSteps.flatMap((s, i) =>
      typeof nameOf(s) === 'string' ? [[nameOf(s) as string, `steps[${i}]`] as const] : [],
    ),
  );
  const scope = new Scope(
    inputs === undefined ? undefined : new Set(inputs.map((i) => i.name)),
    setBy,
    stepNames,
  );
  const variables = compileVariables(
    parsed.success ? parsed.data.variables : undefined,
    scope,
    inputs,
    issues,
  );
  steps.forEach((step, i) => checkStep(step, ['steps', i], scope, issues));
  onFailure.forEach((step, i) => checkStep(step, ['on_failure', i], scope, issues));
  const inputOrVariable = new Set([
    ...(inputs ?? []).map((input) => input.name),
    ...variables.map(([name]) => name),
  ]);
  for (const [name, where] of setBy) {
    if (inputOrVariable.has(name)) {
      issues.add(
        where.path,
        `expected a name not already used by an input or variable, found ${JSON.stringify(name)}`,
      );
    }
  }

  if (!parsed.success || !issues.empty) {
    const unlisted = issues.unlisted();
    return { ok: false, issues: issues.issues, ...(unlisted === undefined ? {} : { unlisted }) };
  }
  const data = parsed.data;
  const implicit = [...scope.implicitInputs];
  const timeoutMs = data.timeout ?? DEFAULT_RUN_TIMEOUT_MS;
  return {
    ok: true,
    warnings: [
      ...(implicit.length === 0
        ? []
        : [
            {
              path: [],
              message: `uses inputs it does not declare: ${implicit.join(', ')} (declare them under inputs: to have them checked)`,
            },
          ]),
      ...checkTimeouts(steps as Step[], timeoutMs, data.timeout !== undefined),
    ],
    workflow: {
      name: data.name,
      description: data.description ?? '',
      version: String(data.version ?? '1'),
      digest: digestOf(raw),
      inputs: inputs ?? [],
      implicitInputs: implicit,
      variables,
      timeoutMs,
      steps: steps as Step[],
      onFailure: onFailure as Step[],
      definition: raw,
    },
  };
}

function nameOf(step: unknown): unknown {
  return step !== null && typeof step === 'object' ? (step as Raw).name : undefined;
}

function compileInputs(
  raw: Record<string, unknown> | undefined,
  issues: IssueList,
): InputDeclaration[] | undefined {
  if (raw === undefined) return undefined;
  return Object.entries(raw).map(([name, declaration]) => {
    const problem = nameProblem(name) ?? builtIn(name);
    if (problem !== undefined) issues.add(['inputs', name], problem, { key: name });
    const d = (declaration ?? {}) as {
      type?: InputDeclaration['type'];
      required?: boolean;
      default?: unknown;
      description?: string;
    };
    return {
      name,
      type: d.type ?? 'any',
      required: d.required ?? d.default === undefined,
      default: d.default,
      description: d.description ?? '',
    };
  });
}

function builtIn(name: string): string | undefined {
  return (BUILT_IN_NAMES as readonly string[]).includes(name)
    ? `expected a name of your own, found ${JSON.stringify(name)}, which is built in`
    : undefined;
}

function compileVariables(
  raw: Record<string, unknown> | undefined,
  scope: Scope,
  inputs: readonly InputDeclaration[] | undefined,
  issues: IssueList,
): (readonly [string, CompiledValue])[] {
  const variables: (readonly [string, CompiledValue])[] = [];
  const inputNames = new Set((inputs ?? []).map((input) => input.name));
  for (const [name, value] of Object.entries(raw ?? {})) {
    const problem =
      nameProblem(name) ??
      builtIn(name) ??
      (inputNames.has(name)
        ? `expected a name not already used by an input, found ${JSON.stringify(name)}`
        : undefined);
    if (problem !== undefined) issues.add(['variables', name], problem, { key: name });
    const compiled = compileField(value, ['variables', name], issues);
    scope.check(compiled, ['variables', name], issues);
    scope.define(name, 'variable');
    if (compiled !== undefined) variables.push([name, compiled]);
  }
  return variables;
}

function checkStep(
  step: Step | undefined,
  at: readonly PathSegment[],
  scope: Scope,
  issues: IssueList,
): void {
  if (step === undefined) return;
  if (step.when !== undefined) scope.checkReferences(step.when.references, [...at, 'when'], issues);
  switch (step.kind) {
    case 'plugin_action':
    case 'ai_action':
      scope.check(step.inputs, [...at, 'inputs'], issues);
      break;
    case 'approval':
      scope.check(step.message, [...at, 'message'], issues);
      scope.check(step.approvers, [...at, 'approvers'], issues);
      scope.check(step.maxRevisions, [...at, 'max_revisions'], issues);
      if (step.revise !== undefined && !scope.isEarlierStep(step.revise))
        issues.add(
          [...at, 'revise'],
          `expected the name of an earlier step to run again with the feedback, found ${JSON.stringify(step.revise)}`,
        );
      break;
    case 'set':
      scope.check(step.values, [...at, 'set'], issues);
      break;
  }
  for (const output of step.outputs)
    scope.define(output.to[0] ?? '', `output of step ${step.name}`);
  if (step.kind === 'set' && step.values.kind === 'map')
    for (const [key] of step.values.entries) scope.define(key, `set by step ${step.name}`);
  scope.stepDone(step.name);
}

/** Root names each step sets, from the raw file (so that broken steps still count). */
function outputRoots(
  rawSteps: readonly unknown[],
): Map<string, { step: string; at: string; path: PathSegment[] }> {
  const roots = new Map<string, { step: string; at: string; path: PathSegment[] }>();
  rawSteps.forEach((raw, i) => {
    if (raw === null || typeof raw !== 'object') return;
    const step = raw as Raw;
    const name = typeof step.name === 'string' ? step.name : `#${i}`;
    const outputs =
      step.outputs !== null && typeof step.outputs === 'object' ? (step.outputs as Raw) : {};
    for (const [from, to] of Object.entries(outputs)) {
      const root = typeof to === 'string' ? to.split('.')[0] : undefined;
      if (root !== undefined && !roots.has(root))
        roots.set(root, { step: name, at: `steps[${i}]`, path: ['steps', i, 'outputs', from] });
    }
    const set = step.set !== null && typeof step.set === 'object' ? (step.set as Raw) : {};
    for (const key of Object.keys(set))
      if (!roots.has(key))
        roots.set(key, { step: name, at: `steps[${i}]`, path: ['steps', i, 'set', key] });
  });
  return roots;
}

function checkUniqueNames(
  steps: readonly (readonly [string, number, unknown])[],
  issues: IssueList,
): void {
  const seen = new Map<string, string>();
  for (const [list, index, raw] of steps) {
    const name = nameOf(raw);
    if (typeof name !== 'string') continue;
    const first = seen.get(name);
    if (first !== undefined)
      issues.add(
        [list, index, 'name'],
        `expected a name no other step has, found ${JSON.stringify(name)} (also the name of ${first})`,
      );
    else seen.set(name, `${list}[${index}]`);
  }
}

function digestOf(raw: unknown): string {
  return createHash('sha256').update(stableJson(raw)).digest('hex');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
