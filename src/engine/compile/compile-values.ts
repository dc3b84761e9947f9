import {
  ExpressionSyntaxError,
  compileExpression,
  type CompiledExpression,
} from '../expressions.js';
import type { PathSegment } from '../paths.js';
import { compileValue, ValueTemplateError, type CompiledValue } from '../templates.js';
import type { IssueList } from './issues.js';

/** Compiles a value's templates, reporting a broken one where it is. */
export function compileField(
  value: unknown,
  path: readonly PathSegment[],
  issues: IssueList,
): CompiledValue | undefined {
  try {
    return compileValue(value);
  } catch (error) {
    if (!(error instanceof ValueTemplateError)) throw error;
    issues.add([...path, ...error.path], error.templateError.message, {
      offset: error.templateError.offset,
    });
    return undefined;
  }
}

/**
 * A `when:` condition: a CEL expression, written bare (`task.points > 3`) or as one `${…}`.
 * It must be able to produce true or false.
 */
export function compileCondition(
  value: string | boolean,
  path: readonly PathSegment[],
  issues: IssueList,
): CompiledExpression | undefined {
  const source = typeof value === 'boolean' ? String(value) : value.trim();
  const wrapped = /^\$\{([\s\S]*)\}$/.exec(source);
  const body = wrapped?.[1] ?? source;
  const lead =
    wrapped === null ? value.toString().indexOf(source) : value.toString().indexOf('${') + 2;
  try {
    const expression = compileExpression(body);
    if (expression.type !== 'bool' && expression.type !== 'dyn') {
      issues.add(
        path,
        `expected a condition that is true or false, found an expression of type ${expression.type}`,
      );
      return undefined;
    }
    return expression;
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    issues.add(path, `invalid condition "${body}": ${error.message}`, {
      offset: Math.max(0, lead) + error.offset,
    });
    return undefined;
  }
}
