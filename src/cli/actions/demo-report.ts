import { fileURLToPath } from 'node:url';
import { git } from '../../git/git.js';
import type { App } from '../../app/create-app.js';
import { roundUsd, parseUsd } from '../../costs/money.js';
import type { JsonObject } from '../../store/sql.js';
import { testsRanIn } from '../../demo/demo-sandbox.js';
import { shownPath } from '../shown-path.js';

interface Implementation {
  tests?: { command?: string; passed?: boolean } | null;
  changes?: { path: string }[];
}

/**
 * What a demo run left behind, read back from where it lives (the git repository, the local
 * pull request record, the tracker, the docs folder, the cost entries): the proof that the
 * flow did its work, not a restatement of what the run said.
 */
export async function demoReport(
  app: App,
  runId: string,
  taskKey: string,
  repo: string,
  cwd: string,
): Promise<{ lines: string[]; json: JsonObject }> {
  const branch = `aidev/${taskKey}`;
  const commits = (await git(['log', '--format=%h %s', `main..${branch}`], { cwd: repo }))
    .trim()
    .split('\n')
    .filter((l) => l !== '');
  const steps = await app.store.steps.listForRun(runId);
  const outputs = (name: string) =>
    steps.find((s) => s.stepName === name)?.outputs as Record<string, unknown> | undefined;
  const implementation = outputs('implement')?.implementation as Implementation | undefined;
  const pull = (await app.store.localPullRequests.list(repo)).find(
    (p) => p.sourceBranch === branch,
  );
  const diffstat = pull === undefined ? '' : stat(pull.diff);
  const task = await app.store.tasks.get('local', taskKey);
  const comments = task === null ? [] : await app.store.taskComments.listForTask(task.id);
  const docUrl = outputs('write_docs')?.doc_url;
  const docPath = typeof docUrl === 'string' ? shownPath(cwd, fileURLToPath(docUrl)) : undefined;
  const costs = await app.store.costs.listForRun(runId);
  const total = await app.store.costs.totalForRun(runId);
  const tests = implementation?.tests;
  const lines = [
    `branch ${branch}: ${commits.length} commit${commits.length === 1 ? '' : 's'} on main — ${commits.join('; ')}`,
    `tests: ${tests == null ? 'none found' : `${tests.command ?? '?'} ${tests.passed === true ? 'passed' : 'FAILED'} ${testsRanIn(app.config)} after the change`}`,
    pull === undefined
      ? 'pull request: none recorded'
      : `pull request #${pull.number} "${pull.title}" (${pull.status}${pull.draft ? ', draft' : ''}), recorded with its diff: ${diffstat}`,
    `task ${taskKey}: ${task?.status ?? '?'}${comments.length > 0 ? `, with the comment "${comments.at(-1)?.body ?? ''}"` : ''}`,
    `docs page: ${docPath ?? 'none'}`,
    `cost: ${roundUsd(parseUsd(total))} for ${costs.length} model call${costs.length === 1 ? '' : 's'} (${costs.reduce((n, c) => n + c.inputTokens + c.cacheReadTokens + c.cacheWriteTokens, 0)} input and ${costs.reduce((n, c) => n + c.outputTokens, 0)} output tokens)`,
  ];
  return {
    lines,
    json: {
      branch,
      commits,
      tests: tests ?? null,
      pull_request:
        pull === undefined
          ? null
          : {
              number: pull.number,
              title: pull.title,
              status: pull.status,
              draft: pull.draft,
              diffstat,
            },
      task: { key: taskKey, status: task?.status ?? null, comments: comments.map((c) => c.body) },
      docs_page: docPath ?? null,
      cost_usd: total,
      model_calls: costs.length,
    },
  };
}

/** "2 files changed, +3 −1" from a unified diff. */
function stat(diff: string): string {
  const lines = diff.split('\n');
  const files = lines.filter((l) => l.startsWith('diff --git ')).length;
  const added = lines.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
  const removed = lines.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
  return `${files} file${files === 1 ? '' : 's'} changed, +${added} −${removed}`;
}
