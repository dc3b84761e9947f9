import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatPath, type Problem } from '../errors/problem.js';
import { locate, parseYaml } from '../yaml/yaml-source.js';
import { compileWorkflow, type CompileResult } from './compile/compile-workflow.js';
import type { CompileEnvironment } from './compile/compile-step.js';
import type { WorkflowIssue } from './compile/issues.js';
import type { Workflow } from './workflow-model.js';

export type LoadResult =
  | {
      readonly ok: true;
      readonly workflow: Workflow;
      readonly file: string;
      readonly warnings: readonly Problem[];
    }
  | { readonly ok: false; readonly file: string; readonly problems: readonly Problem[] };

/** Reads, parses and checks one workflow file; every problem carries `file:line:col`. */
export async function loadWorkflowFile(
  file: string,
  env: CompileEnvironment,
  cwd = process.cwd(),
): Promise<LoadResult> {
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      ok: false,
      file: shown,
      problems: [{ where: shown, path: '', message: `cannot read the workflow file (${reason})` }],
    };
  }
  return loadWorkflowText(text, shown, env);
}

export function loadWorkflowText(text: string, file: string, env: CompileEnvironment): LoadResult {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, file, problems: parsed.problems };
  const source = parsed.source;
  const toProblem = (issue: WorkflowIssue): Problem => {
    const parent = issue.key === undefined ? issue.path : issue.path.slice(0, -1);
    return {
      where: locate(source, parent, issue.key, issue.offset),
      path: formatPath(issue.path),
      message: issue.message,
    };
  };
  const result: CompileResult = compileWorkflow(parsed.value, env);
  if (!result.ok) {
    const problems = sortByPosition(result.issues.map(toProblem));
    if (result.unlisted !== undefined) problems.push({ path: '', message: result.unlisted });
    return { ok: false, file, problems };
  }
  return { ok: true, file, workflow: result.workflow, warnings: result.warnings.map(toProblem) };
}

function sortByPosition(problems: Problem[]): Problem[] {
  const key = (p: Problem) => (p.where ?? '').split(':').slice(-2).map(Number);
  return problems.sort((a, b) => {
    const [la = 0, ca = 0] = key(a);
    const [lb = 0, cb = 0] = key(b);
    return la - lb || ca - cb;
  });
}
