import type { CompiledExpression } from './expressions.js';
import type { CompiledValue } from './templates.js';

/** A workflow as the engine runs it: validated, with every template compiled. */
export interface Workflow {
  readonly name: string;
  readonly description: string;
  readonly version: string;
  /** sha256 of the definition: a run resumes with exactly the definition it started with. */
  readonly digest: string;
  readonly inputs: readonly InputDeclaration[];
  /** Names the workflow reads without declaring them (only when it declares no `inputs:`). */
  readonly implicitInputs: readonly string[];
  readonly variables: readonly (readonly [string, CompiledValue])[];
  readonly timeoutMs: number;
  readonly steps: readonly Step[];
  /** Steps run when the run fails, times out or is cancelled, e.g. to keep written work. */
  readonly onFailure: readonly Step[];
  /** The definition as parsed from YAML (JSON): stored with each run. */
  readonly definition: unknown;
}

export const INPUT_TYPES = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'list',
  'any',
] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputDeclaration {
  readonly name: string;
  readonly type: InputType;
  readonly required: boolean;
  readonly default: unknown;
  readonly description: string;
}

export const ON_ERROR = ['fail', 'retry', 'rollback', 'continue'] as const;
export type OnError = (typeof ON_ERROR)[number];

/** Copies `from` (a path in the step's result) to `to` (a path in the run context). */
export interface OutputMapping {
  readonly from: readonly string[];
  readonly to: readonly string[];
}

interface StepBase {
  readonly name: string;
  readonly index: number;
  readonly description: string;
  readonly when: CompiledExpression | undefined;
  readonly timeoutMs: number | undefined;
  readonly onError: OnError;
  /** Extra attempts after the first, with on_error: retry. */
  readonly retryCount: number;
  readonly outputs: readonly OutputMapping[];
}

export interface PluginActionStep extends StepBase {
  readonly kind: 'plugin_action';
  readonly plugin: string;
  readonly action: string;
  readonly inputs: CompiledValue;
}

export interface AiActionStep extends StepBase {
  readonly kind: 'ai_action';
  readonly agent: string;
  /** Absolute path of the prompt template file, if any. */
  readonly promptTemplate: string | undefined;
  readonly inputs: CompiledValue;
}

export interface ApprovalStep extends StepBase {
  readonly kind: 'approval';
  /** Who may decide (user ids); unset means the person who started the run. */
  readonly approvers: CompiledValue | undefined;
  readonly message: CompiledValue;
  readonly onReject: 'fail' | 'continue';
  readonly onTimeout: 'fail' | 'reject';
  /** An earlier step run again with the feedback when the gate is rejected, then asked again. */
  readonly revise: string | undefined;
  /** How many times it may be revised (a number or an expression; default 3). */
  readonly maxRevisions: CompiledValue | undefined;
}

export interface SetStep extends StepBase {
  readonly kind: 'set';
  readonly values: CompiledValue;
}

export type Step = PluginActionStep | AiActionStep | ApprovalStep | SetStep;
export type StepKind = Step['kind'];
export const STEP_TYPES: readonly StepKind[] = ['plugin_action', 'ai_action', 'approval', 'set'];

/** Names every workflow can read besides its own inputs, variables and outputs. */
export const BUILT_IN_NAMES = ['inputs', 'context', 'steps', 'run'] as const;
