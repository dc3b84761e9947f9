import { stepPrompt } from '../../agents/prompt-template.js';
import type { z } from 'zod';
import { describeValue } from '../../errors/describe-value.js';
import { didYouMeanSuffix } from '../../errors/did-you-mean.js';
import { describeZodError } from '../../errors/zod-problems.js';
import type { ActionCatalog } from '../../plugins/action-catalog.js';
import { isPlainIdentifier, RESERVED_NAMES, type PathSegment } from '../paths.js';
import type { CompiledValue } from '../templates.js';
import {
  BUILT_IN_NAMES,
  STEP_TYPES,
  type OutputMapping,
  type Step,
  type StepKind,
} from '../workflow-model.js';
import { stepSchemas } from '../workflow-schema.js';
import { checkAction } from './check-action.js';
import { compileCondition, compileField } from './compile-values.js';
import type { IssueList } from './issues.js';

export interface CompileEnvironment {
  readonly actions: ActionCatalog;
  readonly agents: readonly string[];
  /** The project root: a `prompt_template` names a file in its prompts/ directory. */
  readonly baseDir: string;
}

export const DEFAULT_AGENT = 'development';
export const DEFAULT_RETRY_COUNT = 2;

export function nameProblem(name: string): string | undefined {
  if (RESERVED_NAMES.has(name))
    return `expected a plain name, found ${JSON.stringify(name)}, which is reserved`;
  if (!isPlainIdentifier(name)) {
    return `expected a plain name (letters, digits and _, not starting with a digit), found ${JSON.stringify(name)}`;
  }
  return undefined;
}

function stepKind(
  raw: unknown,
  at: readonly PathSegment[],
  issues: IssueList,
): StepKind | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    issues.add(
      at,
      `expected a step (a mapping with a name and a type, or a plugin and an action), found ${describeValue(raw)}`,
    );
    return undefined;
  }
  const record = raw as Record<string, unknown>;
  if ('type' in record) {
    const type = record.type;
    if (typeof type === 'string' && (STEP_TYPES as readonly string[]).includes(type))
      return type as StepKind;
    const suggestion = typeof type === 'string' ? didYouMeanSuffix(type, STEP_TYPES) : '';
    issues.add(
      [...at, 'type'],
      `expected one of ${STEP_TYPES.join(', ')}, found ${describeValue(type)}${suggestion}`,
    );
    return undefined;
  }
  if ('plugin' in record || 'action' in record) return 'plugin_action';
  if ('set' in record) return 'set';
  issues.add(
    at,
    'expected a type (plugin_action, ai_action, approval or set), or a plugin and an action',
  );
  return undefined;
}

function compileOutputs(
  raw: Record<string, string> | undefined,
  at: readonly PathSegment[],
  issues: IssueList,
): OutputMapping[] {
  const outputs: OutputMapping[] = [];
  for (const [from, to] of Object.entries(raw ?? {})) {
    const fromPath = from.split('.');
    const toPath = to.split('.');
    const badFrom = fromPath.map(nameProblem).find((p) => p !== undefined);
    const badTo = toPath.map(nameProblem).find((p) => p !== undefined);
    if (badFrom !== undefined) issues.add([...at, from], `result field: ${badFrom}`, { key: from });
    else if (badTo !== undefined) issues.add([...at, from], badTo);
    else if ((BUILT_IN_NAMES as readonly string[]).includes(toPath[0] ?? '')) {
      issues.add(
        [...at, from],
        `expected a name of your own, found ${JSON.stringify(to)}, which is built in`,
      );
    } else outputs.push({ from: fromPath, to: toPath });
  }
  return outputs;
}

type Parsed<K extends StepKind> = z.output<(typeof stepSchemas)[K]>;
type Common = Parsed<StepKind>;

function parseStep<K extends StepKind>(
  kind: K,
  raw: unknown,
  at: readonly PathSegment[],
  env: CompileEnvironment,
  issues: IssueList,
): Parsed<K> | undefined {
  const schema = stepSchemas[kind];
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data as Parsed<K>;
  checkWhatParsed(kind, raw as Record<string, unknown>, at, env, issues);
  for (const issue of describeZodError(parsed.error, { schema })) {
    issues.add(
      [...at, ...(issue.path as PathSegment[])],
      issue.message,
      issue.key === undefined ? {} : { key: issue.key },
    );
  }
  return undefined;
}

/**
 * When a step's structure is wrong, the parts that are right are still checked (its name,
 * plugin, action, agent), so that one run of the validator reports every problem.
 */
function checkWhatParsed(
  kind: StepKind,
  raw: Record<string, unknown>,
  at: readonly PathSegment[],
  env: CompileEnvironment,
  issues: IssueList,
): void {
  if (typeof raw.name === 'string') {
    const badName = nameProblem(raw.name);
    if (badName !== undefined) issues.add([...at, 'name'], badName);
  }
  if (
    kind === 'plugin_action' &&
    typeof raw.plugin === 'string' &&
    typeof raw.action === 'string'
  ) {
    const inputs =
      raw.inputs !== null && typeof raw.inputs === 'object'
        ? (raw.inputs as Record<string, unknown>)
        : {};
    checkAction({ plugin: raw.plugin, action: raw.action, inputs }, at, env, issues);
  }
  if (kind === 'ai_action' && typeof raw.agent === 'string' && !env.agents.includes(raw.agent)) {
    issues.add([...at, 'agent'], unknownAgent(raw.agent, env));
  }
}

function unknownAgent(agent: string, env: CompileEnvironment): string {
  return `expected one of ${env.agents.join(', ')}, found ${JSON.stringify(agent)}${didYouMeanSuffix(agent, env.agents)}`;
}

function compileBase(s: Common, at: readonly PathSegment[], index: number, issues: IssueList) {
  const badName = nameProblem(s.name);
  if (badName !== undefined) issues.add([...at, 'name'], badName);
  const onError = s.on_error ?? 'fail';
  if (s.retry_count !== undefined && onError !== 'retry') {
    issues.add(
      [...at, 'retry_count'],
      `expected only with on_error: retry, found it with on_error: ${onError}`,
    );
  }
  return {
    name: s.name,
    index,
    description: s.description ?? '',
    when: s.when === undefined ? undefined : compileCondition(s.when, [...at, 'when'], issues),
    timeoutMs: s.timeout,
    onError,
    retryCount: onError === 'retry' ? (s.retry_count ?? DEFAULT_RETRY_COUNT) : 0,
    outputs: compileOutputs(s.outputs, [...at, 'outputs'], issues),
  };
}

function builtInProblem(name: string): string | undefined {
  return (BUILT_IN_NAMES as readonly string[]).includes(name)
    ? `expected a name of your own, found ${JSON.stringify(name)}, which is built in`
    : undefined;
}

/** One step: its structure, names, catalog entries and templates. Undefined if it is broken. */
export function compileStep(
  raw: unknown,
  at: readonly PathSegment[],
  index: number,
  env: CompileEnvironment,
  issues: IssueList,
): Step | undefined {
  const kind = stepKind(raw, at, issues);
  if (kind === undefined) return undefined;
  const before = issues.count;
  const field = (name: string, value: unknown): CompiledValue | undefined =>
    compileField(value, [...at, name], issues);
  let step: Step | undefined;
  switch (kind) {
    case 'plugin_action': {
      const s = parseStep(kind, raw, at, env, issues);
      if (s === undefined) return undefined;
      const base = compileBase(s, at, index, issues);
      checkAction(s, at, env, issues);
      const inputs = field('inputs', s.inputs ?? {});
      if (inputs !== undefined)
        step = { ...base, kind, plugin: s.plugin, action: s.action, inputs };
      break;
    }
    case 'set': {
      const s = parseStep(kind, raw, at, env, issues);
      if (s === undefined) return undefined;
      const base = compileBase(s, at, index, issues);
      if (s.outputs !== undefined)
        issues.add(
          [...at, 'outputs'],
          'expected no outputs on a set step: the keys of set are the names it sets',
        );
      for (const key of Object.keys(s.set)) {
        const problem = nameProblem(key) ?? builtInProblem(key);
        if (problem !== undefined) issues.add([...at, 'set', key], problem, { key });
      }
      const values = field('set', s.set);
      if (values !== undefined) step = { ...base, kind, values };
      break;
    }
    case 'approval': {
      const s = parseStep(kind, raw, at, env, issues);
      if (s === undefined) return undefined;
      const base = compileBase(s, at, index, issues);
      if (s.message === undefined)
        issues.add(at, 'expected a message to show the approvers, found nothing');
      const message = field('message', s.message ?? '');
      const approvers = s.approvers === undefined ? undefined : field('approvers', s.approvers);
      const maxRevisions =
        s.max_revisions === undefined ? undefined : field('max_revisions', s.max_revisions);
      if (message !== undefined)
        step = {
          ...base,
          kind,
          message,
          approvers,
          onReject: s.on_reject ?? 'fail',
          onTimeout: s.on_timeout ?? 'fail',
          revise: s.revise,
          maxRevisions,
        };
      break;
    }
    case 'ai_action': {
      const s = parseStep(kind, raw, at, env, issues);
      if (s === undefined) return undefined;
      const base = compileBase(s, at, index, issues);
      const agent = s.agent ?? DEFAULT_AGENT;
      if (!env.agents.includes(agent)) {
        issues.add([...at, 'agent'], unknownAgent(agent, env));
      }
      const inputs = field('inputs', s.inputs ?? {});
      const inputNames = s.inputs === undefined ? undefined : Object.keys(s.inputs);
      for (const name of inputNames ?? []) {
        const problem = nameProblem(name);
        if (problem !== undefined) issues.add([...at, 'inputs', name], problem, { key: name });
      }
      const prompt =
        s.prompt_template === undefined
          ? undefined
          : stepPrompt(env.baseDir, s.prompt_template, inputNames);
      for (const problem of prompt?.problems ?? []) issues.add([...at, 'prompt_template'], problem);
      const promptTemplate = prompt?.ok === true ? prompt.file : undefined;
      if (inputs !== undefined) step = { ...base, kind, agent, promptTemplate, inputs };
      break;
    }
  }
  return issues.count === before ? step : undefined;
}
