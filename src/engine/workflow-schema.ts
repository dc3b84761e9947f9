import { z } from 'zod';
import { boolean, duration, integer, oneOf } from '../config/values.js';
import { INPUT_TYPES, ON_ERROR } from './workflow-model.js';

/**
 * The shape of a workflow file, checked before anything else. Names, references, plugins and
 * agents are checked afterwards (compile-workflow.ts) because they need the whole file.
 */

const text = z.string({ error: 'expected text' });
const nonEmpty = z.string({ error: 'expected text' }).min(1, { error: 'expected non-empty text' });
const stepTimeout = duration({ min: '100ms', max: '24h' });
const mapping = z.record(z.string(), z.unknown(), {
  error: 'expected a mapping of names to values',
});

const inputDeclaration = z.strictObject({
  type: oneOf(INPUT_TYPES).optional(),
  required: boolean().optional(),
  default: z.unknown().optional(),
  description: text.optional(),
});

export const workflowSchema = z.strictObject({
  name: nonEmpty,
  description: text.optional(),
  version: z
    .union([z.string(), z.number()], { error: 'expected a version such as "1.2.0"' })
    .optional(),
  inputs: z
    .record(z.string(), z.union([inputDeclaration, z.null()]), {
      error: 'expected a mapping of input names to declarations',
    })
    .optional(),
  variables: mapping.optional(),
  timeout: duration({ min: '1s', max: '7d' }).optional(),
  steps: z
    .array(z.unknown(), { error: 'expected a list of steps' })
    .min(1, { error: 'expected at least one step' }),
  on_failure: z.array(z.unknown(), { error: 'expected a list of steps' }).optional(),
});

const common = {
  name: z
    .string({ error: 'expected a name for the step' })
    .min(1, { error: 'expected a name for the step' }),
  type: z.string().optional(),
  description: text.optional(),
  when: z
    .union([z.string(), z.boolean()], {
      error: 'expected a condition such as task.priority == "High"',
    })
    .optional(),
  timeout: stepTimeout.optional(),
  on_error: oneOf(ON_ERROR).optional(),
  retry_count: integer(0, 10).optional(),
  outputs: z
    .record(z.string(), z.string({ error: 'expected the name to store this output under' }), {
      error: 'expected a mapping of result fields to names',
    })
    .optional(),
};

export const stepSchemas = {
  plugin_action: z.strictObject({
    ...common,
    plugin: nonEmpty,
    action: nonEmpty,
    inputs: mapping.optional(),
  }),
  ai_action: z.strictObject({
    ...common,
    agent: nonEmpty.optional(),
    prompt_template: nonEmpty.optional(),
    inputs: mapping.optional(),
  }),
  approval: z.strictObject({
    ...common,
    approvers: z
      .union([z.array(z.string()), z.string()], {
        error: 'expected a list of user ids or an expression',
      })
      .optional(),
    message: z.unknown(),
    on_reject: oneOf(['fail', 'continue']).optional(),
    on_timeout: oneOf(['fail', 'reject']).optional(),
    /** On a rejection, run this earlier step again with the feedback (then ask again). */
    revise: nonEmpty.optional(),
    max_revisions: z
      .union([z.number().int().min(0).max(20), z.string()], {
        error: 'expected a whole number from 0 to 20, or an expression',
      })
      .optional(),
  }),
  set: z.strictObject({ ...common, set: mapping }),
} as const;

export type RawWorkflow = z.output<typeof workflowSchema>;
