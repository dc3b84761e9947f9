import { z } from 'zod';
import { action } from '../action-signature.js';

export const documentationActions = [
  action({
    plugin: 'documentation',
    action: 'create_page_from_template',
    description: 'Create or update the page with this title from a template.',
    input: z.strictObject({
      template_type: z.string().min(1),
      title: z.string().min(1),
      content: z.string().optional(),
      space: z.string().optional(),
      parent: z.string().optional(),
    }),
    output: z.object({ page_id: z.string(), doc_url: z.string() }),
    sideEffect: true,
  }),
  action({
    plugin: 'documentation',
    action: 'get_page_url',
    description: 'The URL of the page with this title.',
    input: z.strictObject({ title: z.string().min(1), space: z.string().optional() }),
    output: z.object({ doc_url: z.string().nullable() }),
    sideEffect: false,
  }),
] as const;
