import { PromptFileError, readPromptFile, resolvePromptFile } from './prompt-file.js';

/** A `{{name}}` or `{{name.path}}` placeholder and where it stands in the template. */
export interface Placeholder {
  readonly path: readonly string[];
  readonly line: number;
  readonly column: number;
  readonly start: number;
  readonly end: number;
}

export class PromptTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromptTemplateError';
  }
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * A prompt template: text with named variables. Parsing finds every placeholder with its
 * line and column, and refuses malformed ones (`{{}}`, `{{a b}}`, an unclosed `{{`).
 */
export class PromptTemplate {
  private constructor(
    readonly source: string,
    readonly text: string,
    readonly placeholders: readonly Placeholder[],
  ) {}

  static parse(text: string, source: string): PromptTemplate {
    const placeholders: Placeholder[] = [];
    for (const match of text.matchAll(PLACEHOLDER)) {
      const where = position(text, match.index);
      const name = match[1] ?? '';
      if (!NAME.test(name))
        throw new PromptTemplateError(
          `${source}:${where.line}:${where.column}: expected a variable name such as {{task.title}}, found {{${name}}}`,
        );
      placeholders.push({
        path: name.split('.'),
        ...where,
        start: match.index,
        end: match.index + match[0].length,
      });
    }
    const stray = text.replace(PLACEHOLDER, (m) => ' '.repeat(m.length)).indexOf('{{');
    if (stray >= 0) {
      const where = position(text, stray);
      throw new PromptTemplateError(
        `${source}:${where.line}:${where.column}: "{{" is never closed with "}}"`,
      );
    }
    return new PromptTemplate(source, text, placeholders);
  }

  /** Reads a template file with the size cap, refusing FIFOs, devices and symlinks. */
  static load(file: string, shown = file): PromptTemplate {
    return PromptTemplate.parse(readPromptFile(file, shown), shown);
  }

  /** The top-level variables the template uses. */
  variables(): string[] {
    return [...new Set(this.placeholders.map((p) => p.path[0] ?? ''))];
  }

  /** One problem per placeholder whose variable is not among `provided`. */
  missing(provided: readonly string[]): string[] {
    return this.placeholders
      .filter((p) => !provided.includes(p.path[0] ?? ''))
      .map(
        (p) =>
          `${this.source}:${p.line}:${p.column} uses {{${p.path.join('.')}}}, which is not provided (provided: ${provided.join(', ') || 'nothing'})`,
      );
  }

  /** The text with each placeholder replaced; objects are written as indented JSON. */
  render(values: Readonly<Record<string, unknown>>): string {
    let out = '';
    let at = 0;
    for (const p of this.placeholders) {
      let value: unknown = values;
      for (const key of p.path)
        value = (value as Record<string, unknown> | null | undefined)?.[key];
      if (value === undefined)
        throw new PromptTemplateError(
          `${this.source}:${p.line}:${p.column}: no value for {{${p.path.join('.')}}}`,
        );
      out +=
        this.text.slice(at, p.start) +
        (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
      at = p.end;
    }
    return out + this.text.slice(at);
  }
}

function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}

export type StepPrompt =
  | { readonly ok: true; readonly file: string; readonly problems: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * A step's `prompt_template` (`prompts/plan.txt`, relative to the project `baseDir`): where it
 * is, and what is wrong with it for a step giving these inputs. Only files inside prompts/ are
 * read; anything else gets one answer, which never quotes a file.
 */
export function stepPrompt(
  baseDir: string,
  name: string,
  inputs: readonly string[] | undefined,
): StepPrompt {
  const resolved = resolvePromptFile(baseDir, name);
  if (!resolved.ok) return { ok: false, problems: [resolved.message] };
  try {
    const template = PromptTemplate.load(resolved.file, name);
    return {
      ok: true,
      file: resolved.file,
      problems: inputs === undefined ? [] : template.missing(inputs),
    };
  } catch (error) {
    if (error instanceof PromptTemplateError || error instanceof PromptFileError)
      return { ok: false, problems: [error.message] };
    throw error;
  }
}
