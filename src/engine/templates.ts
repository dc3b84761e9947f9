import {
  compileExpression,
  ExpressionSyntaxError,
  type CompiledExpression,
  type Reference,
} from './expressions.js';
import type { PathSegment } from './paths.js';

/**
 * Values in a workflow may contain `${expression}`. A value that is exactly one `${…}` keeps the
 * type of what it evaluates to (an object, a list, a number); inside a longer string, results
 * are interpolated as text. `$${` writes a literal `${`.
 */

type Part =
  { readonly text: string } | { readonly expression: CompiledExpression; readonly offset: number };

export interface CompiledTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
  /** The whole value is one expression: its result keeps its type. */
  readonly whole: boolean;
}

/** A template or expression error at a character offset within one string value. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export function compileTemplate(source: string): CompiledTemplate {
  const parts: Part[] = [];
  let text = '';
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${';
      i += 3;
    } else if (source.startsWith('${', i)) {
      const end = closingBrace(source, i + 2);
      if (end < 0) throw new TemplateError('expected "}" to close "${"', i);
      const body = source.slice(i + 2, end);
      if (body.trim() === '') throw new TemplateError('expected an expression inside "${}"', i);
      if (text !== '') parts.push({ text });
      text = '';
      try {
        parts.push({ expression: compileExpression(body.trim()), offset: i });
      } catch (error) {
        if (error instanceof ExpressionSyntaxError) {
          const leading = body.length - body.trimStart().length;
          throw new TemplateError(
            `invalid expression "${body.trim()}": ${error.message}`,
            i + 2 + leading + error.offset,
          );
        }
        throw error;
      }
      i = end + 1;
    } else {
      text += source[i];
      i += 1;
    }
  }
  if (text !== '') parts.push({ text });
  const [first] = parts;
  return {
    source,
    parts,
    whole: parts.length === 1 && first !== undefined && 'expression' in first,
  };
}

/** Index of the `}` that closes an expression starting at `from`, skipping string literals. */
function closingBrace(source: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote !== undefined) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

export function renderTemplate(
  template: CompiledTemplate,
  context: Readonly<Record<string, unknown>>,
): unknown {
  const [first] = template.parts;
  if (template.whole && first !== undefined && 'expression' in first)
    return first.expression.evaluate(context);
  return template.parts
    .map((part) => ('text' in part ? part.text : asText(part.expression.evaluate(context))))
    .join('');
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return value.toString();
  }
  return JSON.stringify(value) ?? '';
}

/** A value from a workflow file with its templates compiled, at any depth. */
export type CompiledValue =
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'template'; readonly template: CompiledTemplate }
  | { readonly kind: 'list'; readonly items: readonly CompiledValue[] }
  | { readonly kind: 'map'; readonly entries: readonly (readonly [string, CompiledValue])[] };

/** A template error found while compiling a nested value, with where it is inside that value. */
export class ValueTemplateError extends Error {
  constructor(
    readonly path: readonly PathSegment[],
    readonly templateError: TemplateError,
  ) {
    super(templateError.message, { cause: templateError });
    this.name = 'ValueTemplateError';
  }
}

export function compileValue(value: unknown, path: readonly PathSegment[] = []): CompiledValue {
  if (typeof value === 'string') {
    if (!value.includes('${')) return { kind: 'literal', value: value.replaceAll('$${', '${') };
    try {
      return { kind: 'template', template: compileTemplate(value) };
    } catch (error) {
      if (error instanceof TemplateError) throw new ValueTemplateError(path, error);
      throw error;
    }
  }
  if (Array.isArray(value))
    return { kind: 'list', items: value.map((item, i) => compileValue(item, [...path, i])) };
  if (value !== null && typeof value === 'object') {
    return {
      kind: 'map',
      entries: Object.entries(value).map(
        ([key, item]) => [key, compileValue(item, [...path, key])] as const,
      ),
    };
  }
  return { kind: 'literal', value };
}

export function resolveValue(
  value: CompiledValue,
  context: Readonly<Record<string, unknown>>,
): unknown {
  switch (value.kind) {
    case 'literal':
      return value.value;
    case 'template':
      return renderTemplate(value.template, context);
    case 'list':
      return value.items.map((item) => resolveValue(item, context));
    case 'map':
      return Object.fromEntries(
        value.entries.map(([key, item]) => [key, resolveValue(item, context)]),
      );
  }
}

/** Every reference in a compiled value, with the path inside the value where it appears. */
export function valueReferences(
  value: CompiledValue,
  path: readonly PathSegment[] = [],
): { path: readonly PathSegment[]; reference: Reference; offset: number }[] {
  switch (value.kind) {
    case 'literal':
      return [];
    case 'template':
      return value.template.parts.flatMap((part) =>
        'expression' in part
          ? part.expression.references.map((reference) => ({
              path,
              reference,
              offset: part.offset,
            }))
          : [],
      );
    case 'list':
      return value.items.flatMap((item, i) => valueReferences(item, [...path, i]));
    case 'map':
      return value.entries.flatMap(([key, item]) => valueReferences(item, [...path, key]));
  }
}
