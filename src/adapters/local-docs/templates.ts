import { StepError } from '../../engine/step-errors.js';

/** The page templates a documentation step may name, rendered as Markdown. */
export const DOC_TEMPLATES = [
  'feature_documentation',
  'implementation_notes',
  'project_plan',
  'page',
] as const;
export type DocTemplate = (typeof DOC_TEMPLATES)[number];

const HEADINGS: Record<DocTemplate, string> = {
  feature_documentation: 'What it does and how to use it',
  implementation_notes: 'How it was built',
  project_plan: 'Plan',
  page: '',
};

export function checkTemplate(name: string): DocTemplate {
  if ((DOC_TEMPLATES as readonly string[]).includes(name)) return name as DocTemplate;
  throw new StepError(
    `unknown documentation template "${name}"; known: ${DOC_TEMPLATES.join(', ')}`,
    { code: 'unknown_template' },
  );
}

export function renderMarkdown(
  template: DocTemplate,
  page: { title: string; content: string; runId: string; date: Date },
): string {
  const heading = HEADINGS[template];
  return [
    `# ${page.title}`,
    '',
    ...(heading === '' ? [] : [`## ${heading}`, '']),
    page.content.trim(),
    '',
    '---',
    `_Written by aidev (run ${page.runId}) on ${page.date.toISOString().slice(0, 10)}._`,
    '',
  ].join('\n');
}

/** A file name from a title: lowercase words joined by dashes. */
export function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return slug === '' ? 'page' : slug;
}
