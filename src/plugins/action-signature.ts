import type { z } from 'zod';
import type { JsonObject } from '../store/sql.js';

export const PLUGIN_TYPES = [
  'task_management',
  'version_control',
  'documentation',
  'communication',
] as const;
export type PluginType = (typeof PLUGIN_TYPES)[number];

/**
 * What a workflow may ask a plugin to do: the action's name, the shape of its inputs and
 * result, and whether it changes the outside world. Plugins of a type implement every action
 * of that type; the workflow loader checks steps against these signatures.
 */
export interface ActionSignature<
  I extends z.ZodObject = z.ZodObject,
  O extends z.ZodType = z.ZodType,
  A extends string = string,
> {
  readonly plugin: PluginType;
  readonly action: A;
  readonly description: string;
  readonly input: I;
  readonly output: O;
  /**
   * Changes something outside aidev. Such actions receive an idempotency key that is the same
   * for every attempt of a step, and must find and reuse what an earlier attempt created.
   */
  readonly sideEffect: boolean;
  /** How a rollback undoes this action: the compensating action and its inputs. */
  readonly compensation?: {
    readonly action: string;
    input(stepInput: z.output<I>, stepOutput: z.output<O>): JsonObject;
  };
}

/** Declares a signature with its name, input and output types inferred. */
export function action<const A extends string, I extends z.ZodObject, O extends z.ZodType>(
  signature: ActionSignature<I, O, A>,
): ActionSignature<I, O, A> {
  return signature;
}
