import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { loadWorkflowText } from '../../../engine/load-workflow.js';
import { INPUT_TYPES } from '../../../engine/workflow-model.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText } from '../schemas.js';

export const YAML_MEDIA_TYPES = [
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/plain',
];

const workflowSchema = z
  .object({
    name: z.string().describe('what POST /runs takes as `workflow`'),
    title: z.string().describe('the name inside the file'),
    description: z.string(),
    version: z.string(),
    inputs: z.array(
      z.object({
        name: z.string(),
        type: z.enum(INPUT_TYPES),
        required: z.boolean(),
        default: z.unknown().describe('null when the input has none'),
        description: z.string(),
      }),
    ),
    steps: z.array(z.object({ name: z.string(), kind: z.string() })),
  })
  .meta({ id: 'Workflow' });

const problemLine = z.object({
  where: z.string().optional().describe('file:line:col'),
  path: z.string().describe('the field, e.g. steps[2].on_error'),
  message: z.string(),
});

const validationSchema = z.object({
  valid: z.boolean(),
  file: z.string(),
  problems: z.array(problemLine),
  warnings: z.array(problemLine),
});

const validateBody = z.union([
  z.string().min(1).describe('the YAML text, sent as application/yaml or text/plain'),
  z.strictObject({
    yaml: z.string().min(1),
    file: idText.optional().describe('the name positions are given in'),
  }),
]);

export function workflowRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/workflows',
      role: 'viewer',
      tag: 'workflows',
      summary: 'The workflows runs can be started with, and their inputs',
      responses: {
        200: { description: 'the workflows', schema: z.object({ items: z.array(workflowSchema) }) },
      },
      async handler() {
        const items = app.engine.workflows.names().map((name) => {
          const workflow = app.engine.workflows.get(name);
          return {
            name,
            title: workflow.name,
            description: workflow.description,
            version: workflow.version,
            inputs: workflow.inputs.map((input) => ({ ...input, default: input.default ?? null })),
            steps: workflow.steps.map((step) => ({ name: step.name, kind: step.kind })),
          };
        });
        return Promise.resolve({ items });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/workflows/validate',
      role: 'viewer',
      tag: 'workflows',
      summary: 'Check a workflow file: every problem with file:line:col, the field and the fix',
      description:
        'Send the YAML as application/yaml (or text/plain), or as JSON `{ "yaml": "…", "file": "name.yaml" }`. A workflow with problems is still a 200 answer, with `valid: false`.',
      body: validateBody,
      query: z.strictObject({ file: idText.optional() }),
      textBody: YAML_MEDIA_TYPES,
      responses: { 200: { description: 'the problems found, if any', schema: validationSchema } },
      async handler({ body, query }) {
        const text = typeof body === 'string' ? body : body.yaml;
        const file =
          (typeof body === 'string' ? undefined : body.file) ?? query.file ?? 'workflow.yaml';
        const result = loadWorkflowText(text, file, app.engine.workflows.env);
        return Promise.resolve({
          valid: result.ok,
          file,
          problems: result.ok ? [] : result.problems,
          warnings: result.ok ? result.warnings : [],
        });
      },
    }),
  ];
}
