import { StepError } from '../engine/step-errors.js';

/**
 * The page templates a documentation step may name. Every documentation plugin accepts the same
 * names (a workflow must not break when the team moves from local pages to Confluence), so they
 * live here rather than in one adapter; each adapter renders them in its own format.
 */
export const DOC_TEMPLATES = [
  'feature_documentation',
  'implementation_notes',
  'project_plan',
  'page',
] as const;
export type DocTemplate = (typeof DOC_TEMPLATES)[number];

/** The section heading a template's content goes under; a plain `page` has none. */
export const TEMPLATE_HEADINGS: Readonly<Record<DocTemplate, string>> = {
  feature_documentation: 'What it does and how to use it',
  implementation_notes: 'How it was built',
  project_plan: 'Plan',
  page: '',
};

/** The template with this name, or a StepError (`unknown_template`) naming the known ones. */
export function checkTemplate(name: string): DocTemplate {
  if ((DOC_TEMPLATES as readonly string[]).includes(name)) return name as DocTemplate;
  throw new StepError(
    `unknown documentation template "${name}"; known: ${DOC_TEMPLATES.join(', ')}`,
    { code: 'unknown_template' },
  );
}
