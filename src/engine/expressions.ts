import { Environment } from '@marcbachmann/cel-js';
import { MissingValueError, readPath, type PathSegment } from './paths.js';

/**
 * Expressions in workflows (`${…}` and `when:`) are CEL: a small, non-Turing-complete language
 * with no access to JavaScript objects, functions or globals — an expression sees only the run
 * context. Plain paths such as `task_data.title` are read directly, without the interpreter.
 */

const cel = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  limits: {
    maxAstNodes: 500,
    maxDepth: 40,
    maxListElements: 200,
    maxMapEntries: 200,
    maxCallArguments: 16,
  },
});

/** A name the expression reads from the context, and the fields it follows from there. */
export interface Reference {
  readonly root: string;
  readonly fields: readonly string[];
  /** Read with `.?` or inside `has()`: a missing value is expected, not an error. */
  readonly optional: boolean;
}

export interface CompiledExpression {
  readonly source: string;
  /** The static result type (`bool`, `string`, `dyn`, …). */
  readonly type: string;
  readonly references: readonly Reference[];
  evaluate(context: Readonly<Record<string, unknown>>): unknown;
}

/** A syntax error, at `offset` characters into the expression. */
export class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExpressionSyntaxError';
  }
}

/** Evaluation failed for another reason than a missing value (a type error, a bad call). */
export class ExpressionEvaluationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExpressionEvaluationError';
  }
}

interface AstNode {
  readonly op: string;
  readonly args: unknown;
}

export function compileExpression(source: string): CompiledExpression {
  let program: ReturnType<typeof cel.parse>;
  try {
    program = cel.parse(source);
  } catch (error) {
    const { message, offset } = celErrorPosition(error, source);
    throw new ExpressionSyntaxError(message, offset);
  }
  // Type-checks with every variable dynamic: refuses unknown functions (`require(…)`, `eval(…)`)
  // and operations that can never work (`"a" + 1`) before anything runs.
  const checked = cel.check(source);
  if (!checked.valid) {
    const { message } = celErrorPosition(checked.error, source);
    throw new ExpressionSyntaxError(message, 0);
  }
  const type = checked.type ?? 'dyn';
  const ast = program.ast as AstNode;
  const references = collectReferences(ast, new Set());
  const path = plainPath(ast);
  if (path !== undefined) {
    return { source, type, references, evaluate: (context) => readPath(context, path, source) };
  }
  return {
    source,
    type,
    references,
    evaluate(context) {
      const roots = new Set(references.map((r) => r.root));
      const input: Record<string, unknown> = {};
      for (const root of roots)
        if (Object.hasOwn(context, root)) input[root] = toCel(context[root]);
      try {
        return fromCel(program(input));
      } catch (error) {
        throw translateEvaluationError(error, source);
      }
    },
  };
}

/** `a.b[0].c` as segments, or undefined when the expression is anything more. */
function plainPath(node: AstNode): PathSegment[] | undefined {
  if (node.op === 'id' && typeof node.args === 'string') return [node.args];
  const args = node.args as unknown[];
  if (node.op === '.' && typeof args[1] === 'string') {
    const base = plainPath(args[0] as AstNode);
    return base === undefined ? undefined : [...base, args[1]];
  }
  if (node.op === '[]') {
    const index = args[1] as AstNode;
    const base = plainPath(args[0] as AstNode);
    if (base === undefined || index.op !== 'value') return undefined;
    if (typeof index.args === 'bigint') return [...base, Number(index.args)];
    if (typeof index.args === 'string') return [...base, index.args];
  }
  return undefined;
}

const MACROS = new Set(['map', 'filter', 'all', 'exists', 'exists_one']);

function collectReferences(node: unknown, bound: ReadonlySet<string>): Reference[] {
  if (Array.isArray(node)) return node.flatMap((item) => collectReferences(item, bound));
  if (node === null || typeof node !== 'object' || !('op' in node)) return [];
  const { op, args } = node as AstNode;
  const chain = selection(node as AstNode);
  if (chain !== undefined) {
    if (bound.has(chain.root)) return [];
    return [chain];
  }
  if (op === 'call' && Array.isArray(args) && args[0] === 'has') {
    return (args[1] as unknown[]).flatMap((arg) =>
      collectReferences(arg, bound).map((r) => ({ ...r, optional: true })),
    );
  }
  if (op === 'rcall' && Array.isArray(args) && MACROS.has(args[0] as string)) {
    const [, target, macroArgs] = args as [string, unknown, AstNode[]];
    const variable = macroArgs[0];
    const inner = new Set(bound);
    if (variable?.op === 'id' && typeof variable.args === 'string') inner.add(variable.args);
    return [
      ...collectReferences(target, bound),
      ...macroArgs.slice(1).flatMap((a) => collectReferences(a, inner)),
    ];
  }
  if (Array.isArray(args)) return args.flatMap((arg) => collectReferences(arg, bound));
  return [];
}

/** A chain of field selections on an identifier: `a.b.?c` → a, [b, c]. */
function selection(node: AstNode): Reference | undefined {
  if (node.op === 'id' && typeof node.args === 'string')
    return { root: node.args, fields: [], optional: false };
  if (
    (node.op === '.' || node.op === '.?') &&
    Array.isArray(node.args) &&
    typeof node.args[1] === 'string'
  ) {
    const base = selection(node.args[0] as AstNode);
    if (base === undefined) return undefined;
    return {
      root: base.root,
      fields: [...base.fields, node.args[1]],
      optional: base.optional || node.op === '.?',
    };
  }
  return undefined;
}

/** CEL integers are 64-bit: whole JS numbers become int, others double. */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: a `__proto__` key in data stays data.
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCel(item)]));
  }
  return value;
}

function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fromCel(item)]));
  }
  return value;
}

function translateEvaluationError(error: unknown, source: string): Error {
  const message =
    error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error);
  const missing = /^No such key: (.+)$/.exec(message) ?? /^Unknown variable: (.+)$/.exec(message);
  if (missing?.[1] !== undefined) return new MissingValueError(source, [missing[1]], 0, []);
  return new ExpressionEvaluationError(`${source}: ${message}`, { cause: error });
}

/** The parser reports a position as a caret under a quoted source line; turn it into an offset. */
function celErrorPosition(error: unknown, source: string): { message: string; offset: number } {
  const text = error instanceof Error ? error.message : String(error);
  const [first = text, , codeLine, caretLine] = text.split('\n');
  const lineNumber = /^>\s*(\d+) \| /.exec(codeLine ?? '');
  const prefix = (codeLine ?? '').indexOf('| ') + 2;
  const caret = (caretLine ?? '').indexOf('^');
  let offset = 0;
  if (lineNumber?.[1] !== undefined && caret >= prefix) {
    const lines = source.split('\n').slice(0, Number(lineNumber[1]) - 1);
    offset = lines.reduce((sum, line) => sum + line.length + 1, 0) + (caret - prefix);
  }
  return {
    message: first.charAt(0).toLowerCase() + first.slice(1),
    offset: Math.min(offset, source.length),
  };
}
