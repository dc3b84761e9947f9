/**
 * One thing wrong with an input, in the form every front end prints:
 * `where path: message` — e.g. `aidev.config.yaml:4:18 jobs.lock_lifetime: expected a duration
 * such as 30s, found "soon"`, or `PORT: expected a TCP port (1-65535), found "not-a-port"`.
 */
export interface Problem {
  /** `file:line:col` when the input came from a file. */
  readonly where?: string;
  /** Field path such as `steps[2].on_error`, or an environment variable name. */
  readonly path: string;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const location = problem.where === undefined ? '' : `${problem.where} `;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${location}${path}${problem.message}`;
}

/** `['steps', 2, 'on_error']` → `steps[2].on_error`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
