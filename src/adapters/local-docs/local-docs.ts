import { constants as fsConstants, promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { checkTemplate } from '../../plugins/doc-templates.js';
import { definePlugin, type Plugin, type PluginContext } from '../../plugins/plugin.js';
import { renderMarkdown, slugOf } from './templates.js';

const configSchema = z.strictObject({
  /** Where pages are written; default: `docs/` in the data directory. */
  directory: z.string().min(1).optional(),
  /** The space used when a step names none. */
  default_space: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a folder name (letters, digits, - and _)' })
    .default('engineering'),
});

/** Pages as Markdown files: `<directory>/<space>/<title-as-slug>.md`, rewritten on update. */
export const localDocs = definePlugin({
  type: 'documentation',
  name: 'local_docs',
  description: 'Markdown pages in a folder',
  configSchema,
  create(config, context: PluginContext): Plugin<'documentation'> {
    const root = path.resolve(config.directory ?? path.join(context.dataDir, 'docs'));
    const fileOf = (title: string, space: string | undefined) => {
      const folder = space === undefined || space === '' ? config.default_space : slugOf(space);
      return {
        file: path.join(root, folder, `${slugOf(title)}.md`),
        id: `${folder}/${slugOf(title)}`,
      };
    };
    return {
      type: 'documentation',
      name: 'local_docs',
      connect: () => fs.mkdir(root, { recursive: true }).then(() => undefined),
      disconnect: () => Promise.resolve(),
      async health() {
        await fs.access(root, fsConstants.W_OK);
        return { ok: true, detail: `pages in ${root}` };
      },
      actions: {
        async create_page_from_template(input, call) {
          const template = checkTemplate(input.template_type);
          const { file, id } = fileOf(input.title, input.space);
          await fs.mkdir(path.dirname(file), { recursive: true });
          const page = renderMarkdown(template, {
            title: input.title,
            content: input.content ?? '',
            runId: call.run.id,
            date: new Date(),
          });
          // Write then rename: a reader never sees half a page.
          await fs.writeFile(`${file}.tmp`, page);
          await fs.rename(`${file}.tmp`, file);
          return { page_id: id, doc_url: pathToFileURL(file).href };
        },
        async get_page_url(input) {
          const { file } = fileOf(input.title, input.space);
          const exists = await fs.access(file).then(
            () => true,
            () => false,
          );
          return { doc_url: exists ? pathToFileURL(file).href : null };
        },
      },
    };
  },
});
