import type { PathSegment } from '../paths.js';

/**
 * A problem with a workflow, located by its field path (`steps[2].on_error`), and optionally
 * by a key (unknown keys) and a character offset inside a string value (expressions).
 */
export interface WorkflowIssue {
  readonly path: readonly PathSegment[];
  readonly key?: string;
  readonly offset?: number;
  readonly message: string;
}

/** More problems than this are counted, not listed: the first ones say what to fix. */
export const MAX_ISSUES = 100;

/**
 * Collects issues as a file is compiled, so that all of them are reported at once — up to
 * MAX_ISSUES, so that a file with thousands of mistakes costs no more than one with a hundred.
 */
export class IssueList {
  readonly issues: WorkflowIssue[] = [];
  /** Issues found beyond MAX_ISSUES. */
  dropped = 0;

  add(
    path: readonly PathSegment[],
    message: string,
    extra: { key?: string; offset?: number } = {},
  ): void {
    if (this.full) this.dropped += 1;
    else this.issues.push({ path, message, ...extra });
  }

  /** Every issue found, listed or not. */
  get count(): number {
    return this.issues.length + this.dropped;
  }

  /** No more issues will be listed: checks that only find more of them may stop. */
  get full(): boolean {
    return this.issues.length >= MAX_ISSUES;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** What to say after the listed issues, if some were not listed. */
  unlisted(): string | undefined {
    return this.dropped === 0
      ? undefined
      : `and ${this.dropped} more problems, not listed: fix these first`;
  }
}
