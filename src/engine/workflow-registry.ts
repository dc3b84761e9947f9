import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import { didYouMeanSuffix } from '../errors/did-you-mean.js';
import { formatProblem, type Problem } from '../errors/problem.js';
import { compileWorkflow } from './compile/compile-workflow.js';
import type { CompileEnvironment } from './compile/compile-step.js';
import { loadWorkflowFile } from './load-workflow.js';
import type { Workflow } from './workflow-model.js';

/**
 * The workflows a deployment offers, by name: `implement-task` for `workflows/implement-task.yaml`,
 * `examples/…` for the examples. Also compiles the definitions stored with runs, so that a run
 * resumes with the definition it started with even after the file changed.
 */
export class WorkflowRegistry {
  private readonly byName = new Map<string, Workflow>();
  private readonly byDigest = new Map<string, Workflow>();

  constructor(readonly env: CompileEnvironment) {}

  /** Loads every `*.yaml` of `dir` and of its `examples/` folder; all problems are reported at once. */
  static async load(dir: string, env: CompileEnvironment): Promise<WorkflowRegistry> {
    const registry = new WorkflowRegistry(env);
    const files = [
      ...yamlFiles(dir).map((f) => [path.basename(f, '.yaml'), f] as const),
      ...yamlFiles(path.join(dir, 'examples')).map(
        (f) => [`examples/${path.basename(f, '.yaml')}`, f] as const,
      ),
    ];
    const problems: Problem[] = [];
    for (const [name, file] of files) {
      const result = await loadWorkflowFile(file, env);
      if (result.ok) registry.add(name, result.workflow);
      else problems.push(...result.problems);
    }
    if (problems.length > 0) {
      throw new AppError(
        'invalid_input',
        `invalid workflows:\n${problems.map(formatProblem).join('\n')}`,
        {
          hint: 'fix them, or check one with `aidev workflow validate FILE`',
        },
      );
    }
    return registry;
  }

  add(name: string, workflow: Workflow): void {
    this.byName.set(name, workflow);
    this.byDigest.set(workflow.digest, workflow);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  get(name: string): Workflow {
    const workflow = this.byName.get(name);
    if (workflow !== undefined) return workflow;
    const names = this.names();
    if (names.length === 0)
      throw new AppError(
        'not_found',
        `workflow: there are no workflows here, so none named ${JSON.stringify(name)} (is workflows.directory set to a directory of workflow files?)`,
      );
    throw new AppError(
      'not_found',
      `workflow: expected one of ${names.join(', ')}, found ${JSON.stringify(name)}${didYouMeanSuffix(name, names)}`,
    );
  }

  /** The workflow a run was started with, from the definition stored with it. */
  fromDefinition(definition: unknown, digest: string | null): Workflow {
    const known = digest === null ? undefined : this.byDigest.get(digest);
    if (known !== undefined) return known;
    const compiled = compileWorkflow(definition, this.env);
    if (!compiled.ok) {
      const first = compiled.issues[0];
      throw new AppError(
        'invalid_input',
        `the workflow stored with this run no longer compiles: ${first?.message ?? 'unknown problem'}`,
      );
    }
    this.byDigest.set(compiled.workflow.digest, compiled.workflow);
    return compiled.workflow;
  }
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
