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

/** Collects issues as a file is compiled, so that all of them are reported at once. */
export class IssueList {
  readonly issues: WorkflowIssue[] = [];

  add(
    path: readonly PathSegment[],
    message: string,
    extra: { key?: string; offset?: number } = {},
  ): void {
    this.issues.push({ path, message, ...extra });
  }

  get empty(): boolean {
    return this.issues.length === 0;
  }
}
