import { didYouMean } from '../../errors/did-you-mean.js';
import type { Reference } from '../expressions.js';
import { RESERVED_NAMES, type PathSegment } from '../paths.js';
import { valueReferences, type CompiledValue } from '../templates.js';
import type { IssueList } from './issues.js';

/**
 * What a value may refer to at one point of a workflow: the names defined before it. A name
 * that is only defined by a later step is a mistake (it would be missing when this step runs),
 * and so is a name defined nowhere — unless the workflow declares no inputs, in which case
 * unknown names are taken as undeclared inputs (and reported as a warning).
 */
export class Scope {
  /** Name → what defines it, e.g. "input", "variable", "output of step fetch_task". */
  private readonly names = new Map<string, string>();
  private readonly earlierSteps = new Set<string>();
  readonly implicitInputs = new Set<string>();

  constructor(
    private readonly declaredInputs: ReadonlySet<string> | undefined,
    /** Root name → the first step that sets it, for every step. */
    private readonly setBy: ReadonlyMap<string, { step: string; at: string }>,
    private readonly stepNames: ReadonlyMap<string, string>,
  ) {
    for (const name of ['inputs', 'context', 'run', 'steps']) this.names.set(name, 'built in');
    for (const name of declaredInputs ?? []) this.names.set(name, 'input');
  }

  define(name: string, by: string): void {
    if (!this.names.has(name)) this.names.set(name, by);
  }

  stepDone(name: string): void {
    this.earlierSteps.add(name);
  }

  isEarlierStep(name: string): boolean {
    return this.earlierSteps.has(name);
  }

  check(value: CompiledValue | undefined, at: readonly PathSegment[], issues: IssueList): void {
    if (value === undefined) return;
    for (const { path, reference, offset } of valueReferences(value))
      this.checkOne(reference, [...at, ...path], offset, issues);
  }

  checkReferences(
    references: readonly Reference[],
    at: readonly PathSegment[],
    issues: IssueList,
  ): void {
    for (const reference of references) this.checkOne(reference, at, undefined, issues);
  }

  private checkOne(
    reference: Reference,
    at: readonly PathSegment[],
    offset: number | undefined,
    issues: IssueList,
  ): void {
    if (issues.full) return;
    const where = offset === undefined ? {} : { offset };
    const { root, fields } = reference;
    // Such a name is never defined, and reading it would reach into JavaScript's objects.
    const reserved = [root, ...fields].find((name) => RESERVED_NAMES.has(name));
    if (reserved !== undefined) {
      issues.add(at, `refers to ${JSON.stringify(reserved)}, which is a reserved name`, where);
      return;
    }
    if (root === 'steps') return this.checkStepReference(fields[0], at, where, issues);
    if (
      (root === 'inputs' || root === 'context') &&
      this.declaredInputs !== undefined &&
      fields[0] !== undefined
    ) {
      if (!this.declaredInputs.has(fields[0]) && !reference.optional) {
        issues.add(
          at,
          `refers to ${root}.${fields[0]}, which is not a declared input${suggest(fields[0], [...this.declaredInputs])}`,
          where,
        );
      }
      return;
    }
    if (
      (root === 'inputs' || root === 'context') &&
      fields[0] !== undefined &&
      this.declaredInputs === undefined
    ) {
      this.implicitInputs.add(fields[0]);
      return;
    }
    if (this.names.has(root)) return;
    const later = this.setBy.get(root);
    if (later !== undefined) {
      issues.add(
        at,
        `refers to ${root}, which is only set by step ${later.step} (${later.at}), after this point`,
        where,
      );
      return;
    }
    const known = [...this.names.keys()];
    const close = didYouMean(root, known);
    if (this.declaredInputs === undefined && close === undefined) {
      this.implicitInputs.add(root);
      return;
    }
    issues.add(
      at,
      `refers to ${root}, which is not defined here${suggest(root, known)}; defined here: ${listed(known)}`,
      where,
    );
  }

  private checkStepReference(
    step: string | undefined,
    at: readonly PathSegment[],
    where: { offset?: number },
    issues: IssueList,
  ): void {
    if (step === undefined || this.earlierSteps.has(step)) return;
    const position = this.stepNames.get(step);
    if (position !== undefined) {
      issues.add(at, `refers to steps.${step}, which runs after this point (${position})`, where);
    } else {
      issues.add(
        at,
        `refers to steps.${step}, but there is no such step${suggest(step, [...this.stepNames.keys()])}`,
        where,
      );
    }
  }
}

/** Names for a message: all of a short list, the first ones of a long one. */
function listed(names: readonly string[], shown = 20): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

function suggest(word: string, candidates: readonly string[]): string {
  const match = didYouMean(word, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
