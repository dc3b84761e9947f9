import { TEMPLATE_HEADINGS, type DocTemplate } from '../../plugins/doc-templates.js';

/** A page as Markdown: the title, the template's heading, the content and who wrote it. */
export function renderMarkdown(
  template: DocTemplate,
  page: { title: string; content: string; runId: string; date: Date },
): string {
  const heading = TEMPLATE_HEADINGS[template];
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
