import { z } from 'zod';
import { StepError } from '../../engine/step-errors.js';
import type { Workspace } from '../../sandbox/workspace.js';
import { defineTool, type AgentTool, type ToolOutcome } from '../model-loop.js';
import { insertAt, replaceOnce, type Edited } from './editor-edits.js';
import { EditorFiles, isDirectory, type Located } from './editor-files.js';
import { viewDirectory, viewFile, type ViewLimits } from './editor-view.js';
import { editSnippet, linesOf } from './numbered-lines.js';
import { toolFailure } from './tool-failure.js';

export interface TextEditorToolOptions {
  /** The working copy: every path is inside it. */
  readonly workspace: Workspace;
  /** Called with the path (relative to the root, `/`-separated) of each file created or edited. */
  readonly onChange?: (path: string) => void;
  /** For people watching: what the editor is doing now. */
  readonly status?: (message: string) => void;
  /** Largest file viewed or edited, in bytes. Default 10 MiB. */
  readonly maxFileBytes?: number;
  /** Longest answer of a view, in characters. Default 16 000. */
  readonly maxViewChars?: number;
  /** Most entries a directory view lists. Default 300. */
  readonly maxDirectoryEntries?: number;
  /** Only `view`: every other command is refused with why (an agent that reads, not writes). */
  readonly readOnly?: string;
}

export const TEXT_EDITOR_NAME = 'str_replace_based_edit_tool';

const input = z.object({
  command: z
    .enum(['view', 'create', 'str_replace', 'insert'])
    .describe('The command to run: view, create, str_replace or insert.'),
  path: z
    .string()
    .describe(
      'The file or directory, relative to the repository root (an absolute path under the root is accepted too).',
    ),
  view_range: z
    .array(z.number().int())
    .optional()
    .describe(
      'For view of a file: [start, end] lines, 1-based and inclusive; end -1 means to the end of the file.',
    ),
  file_text: z.string().optional().describe('For create: the whole content of the file.'),
  old_str: z
    .string()
    .optional()
    .describe(
      'For str_replace: the exact text to replace, whitespace included; it must occur exactly once in the file.',
    ),
  new_str: z
    .string()
    .optional()
    .describe('For str_replace: the text to put in its place (empty or absent: delete it).'),
  insert_line: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('For insert: the line after which to insert the text (0: at the top of the file).'),
  insert_text: z.string().optional().describe('For insert: the text to insert, as whole lines.'),
});
type Input = z.output<typeof input>;

const DESCRIPTION = [
  'View, create and edit text files of the repository.',
  '`view` shows a file with line numbers (`cat -n`), or a range of it with view_range [start, end] (end -1: to the end); a directory, it lists its files and folders two levels deep, hidden items and node_modules excluded. Long views stop with a note saying how to see on.',
  '`create` writes a whole file (parent folders are made; an existing file is overwritten).',
  '`str_replace` replaces old_str, which must occur exactly once in the file (copy it exactly from a view, whitespace included, without the line numbers; include surrounding lines to make it unique), by new_str, and shows the edited part.',
  '`insert` adds insert_text after line insert_line (0: at the top), and shows the edited part.',
].join(' ');

/**
 * The development agent's editor: Anthropic's text editor tool (`text_editor_20250728`, named
 * `str_replace_based_edit_tool`), or the same input as a JSON-schema tool for other providers.
 * Every mistake (a missing path, a directory, no match or several, a binary or huge file, a path
 * out of the working copy or into .git) is an error result the model can act on; only aidev's
 * own failures throw.
 *
 * @example
 * const editor = textEditorTool({ workspace, onChange: (path) => changed.add(path) });
 */
export function textEditorTool(options: TextEditorToolOptions): AgentTool {
  const files = new EditorFiles(options.workspace, options.maxFileBytes ?? 10 * 1024 * 1024);
  const limits: ViewLimits = {
    maxChars: options.maxViewChars ?? 16_000,
    maxEntries: options.maxDirectoryEntries ?? 300,
  };
  const editor = new Editor(files, limits, options);
  const tool = defineTool(TEXT_EDITOR_NAME, DESCRIPTION, input, async (request) => {
    try {
      return await editor.run(request);
    } catch (error) {
      const outcome = toolFailure(error, options.workspace.root);
      if (outcome !== undefined) return outcome;
      throw error;
    }
  });
  return { ...tool, definition: { ...tool.definition, native: 'text_editor' } };
}

class Editor {
  constructor(
    private readonly files: EditorFiles,
    private readonly limits: ViewLimits,
    private readonly options: TextEditorToolOptions,
  ) {}

  async run(request: Input): Promise<ToolOutcome> {
    if (this.options.readOnly !== undefined && request.command !== 'view')
      return { content: `${request.command} refused: ${this.options.readOnly}`, isError: true };
    const located = await this.files.locate(request.path);
    switch (request.command) {
      case 'view':
        return this.view(located, request.view_range);
      case 'create':
        return this.create(
          located,
          required(request, 'file_text', 'the whole content of the file'),
        );
      case 'str_replace':
        return this.replace(
          located,
          required(request, 'old_str', 'the exact text to replace'),
          request.new_str ?? '',
        );
      case 'insert': {
        const after = required(
          request,
          'insert_line',
          'the line after which to insert (0: the top)',
        );
        // Earlier versions of the tool called it new_str; a model may still.
        const text = request.insert_text ?? request.new_str;
        if (text === undefined)
          throw new StepError('insert needs insert_text: the text to insert', {
            code: 'invalid_input',
          });
        return this.insert(located, after, text);
      }
    }
  }

  private async view(located: Located, range: readonly number[] | undefined) {
    this.options.status?.(`viewing ${located.relative}`);
    const kind = await this.files.kind(located);
    if (kind === 'missing') throw await this.files.missing(located);
    if (kind === 'directory') {
      const listing = await viewDirectory(located, this.limits);
      const note = range === undefined ? '' : '\n(view_range applies to files and was ignored)';
      return { content: `${listing}${note}` };
    }
    const file = await this.files.readText(located);
    const notes = file.notUtf8
      ? [
          '(this file is not UTF-8 text: bytes that are not are shown as �; it cannot be edited here)',
        ]
      : [];
    return { content: viewFile(file.text, located.relative, range, this.limits, notes) };
  }

  private async create(located: Located, text: string) {
    this.options.status?.(`writing ${located.relative}`);
    const kind = await this.files.kind(located);
    if (kind === 'directory') throw isDirectory(located);
    // Said when a file is replaced: a model that meant to create a new one learns it did not.
    const before =
      kind === 'file'
        ? await this.files.readText(located).then(
            (file) => `it had ${counted(linesOf(file.text).length, 'line')}`,
            () => 'it was not a text file the editor reads',
          )
        : undefined;
    await this.files.write(located, text);
    this.changed(located);
    const lines = linesOf(text).length;
    return {
      content:
        before === undefined
          ? `File created successfully at: ${located.relative} (${counted(lines, 'line')})`
          : `File ${located.relative} existed and was overwritten (${before}; it now has ${lines})`,
    };
  }

  private async replace(located: Located, oldStr: string, newStr: string) {
    this.options.status?.(`editing ${located.relative}`);
    const text = await this.files.readEditable(located);
    const edited = replaceOnce(text, oldStr, newStr, located.relative);
    await this.files.write(located, edited.text);
    this.changed(located);
    return { content: editedAnswer(located, edited) };
  }

  private async insert(located: Located, after: number, insertText: string) {
    this.options.status?.(`editing ${located.relative}`);
    const text = await this.files.readEditable(located);
    const edited = insertAt(text, after, insertText, located.relative);
    await this.files.write(located, edited.text);
    this.changed(located);
    return { content: editedAnswer(located, edited) };
  }

  private changed(located: Located) {
    this.options.onChange?.(located.relative);
  }
}

/** What an edit answers, as Anthropic's reference implementation words it. */
function editedAnswer(located: Located, edited: Edited): string {
  return `The file ${located.relative} has been edited. ${editSnippet(edited.text, edited.firstLine, edited.lastLine, located.relative)}\nReview the changes and make sure they are as expected. Edit the file again if necessary.`;
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A parameter the command needs, or a refusal naming it. */
function required<K extends keyof Input>(
  request: Input,
  key: K,
  what: string,
): NonNullable<Input[K]> {
  const value = request[key];
  if (value === undefined || value === null)
    throw new StepError(`${request.command} needs ${key}: ${what}`, { code: 'invalid_input' });
  return value;
}
