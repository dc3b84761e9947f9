import path from 'node:path';
import { formatProblem } from '../../errors/problem.js';
import { loadWorkflowFile } from '../../engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../engine/workflow-environment.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';

export async function runWorkflowValidate(
  io: CliIo,
  files: readonly string[],
  json: boolean,
): Promise<ExitCode> {
  const env = standardWorkflowEnvironment(io.cwd);
  const results = await Promise.all(
    files.map((file) => loadWorkflowFile(path.resolve(io.cwd, file), env, io.cwd)),
  );
  const ok = results.every((r) => r.ok);
  if (json) {
    const report = results.map((r) =>
      r.ok
        ? {
            file: r.file,
            ok: true,
            name: r.workflow.name,
            version: r.workflow.version,
            steps: r.workflow.steps.length,
            warnings: r.warnings.map(formatProblem),
          }
        : { file: r.file, ok: false, problems: r.problems.map(formatProblem) },
    );
    io.stdout.write(`${JSON.stringify({ ok, files: report }, null, 2)}\n`);
    return ok ? EXIT.ok : EXIT.failed;
  }
  for (const result of results) {
    if (result.ok) {
      const { workflow, warnings } = result;
      // Warnings are advice: the file is valid, and each says where and what to change.
      const count =
        warnings.length === 0
          ? ''
          : `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
      io.stdout.write(
        `✓ ${result.file}: "${workflow.name}" v${workflow.version}, ${workflow.steps.length} steps${count}\n`,
      );
      for (const warning of warnings) io.stdout.write(`  warning: ${formatProblem(warning)}\n`);
    } else {
      for (const problem of result.problems) io.stderr.write(`${formatProblem(problem)}\n`);
    }
  }
  if (!ok) {
    const count = results.reduce((n, r) => n + (r.ok ? 0 : r.problems.length), 0);
    io.stderr.write(
      `${count} problem${count === 1 ? '' : 's'} in ${results.filter((r) => !r.ok).length} of ${results.length} file(s)\n`,
    );
  }
  return ok ? EXIT.ok : EXIT.failed;
}
