import { fileURLToPath } from 'node:url';
import { git } from '../../git/git.js';
import type { App } from '../../app/create-app.js';
import { roundUsd, parseUsd } from '../../costs/money.js';
import type { JsonObject } from '../../store/sql.js';
import { testsRanIn } from '../../demo/demo-sandbox.js';
import { roundsOfRun } from '../../pr-loop/rounds-of-run.js';
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

/**
 * What the demo's review round left: its commit on the branch, the answers in the comments'
 * threads and on the pull request, and what the work cost with the round.
 */
export async function reviewReport(
  app: App,
  runId: string,
  roundId: string,
  repo: string,
  taskKey: string,
): Promise<{ lines: string[]; json: JsonObject }> {
  const branch = `aidev/${taskKey}`;
  const pull = (await app.store.localPullRequests.list(repo)).find(
    (p) => p.sourceBranch === branch,
  );
  const comments =
    pull === undefined ? [] : await app.store.localPullRequestComments.list(repo, pull.number);
  const round = await app.store.runs.get(roundId);
  const pushed = (await app.store.steps.listForRun(roundId)).find((s) => s.stepName === 'commit')
    ?.outputs as { sha?: string } | null | undefined;
  const commit =
    pushed?.sha === undefined
      ? 'no new commit'
      : (await git(['log', '-1', '--format=%h %s', pushed.sha], { cwd: repo })).trim();
  const replies = comments.filter((c) => c.inReplyTo !== null);
  const onPull = comments.filter((c) => c.inReplyTo === null && c.path === null);
  const rounds = await roundsOfRun(app.store, runId);
  const quote = (text: string) => {
    const visible = text.replace(/\s*<!--[^>]*-->\s*$/, '').replace(/\s+/g, ' ');
    return visible.length > 110 ? `${visible.slice(0, 110)}…` : visible;
  };
  const lines = [
    `round 1: ${round?.status ?? '?'} — ${commit} on ${branch} (a new commit; nothing force-pushed)`,
    ...replies.map((r) => {
      const to = comments.find((c) => c.id === r.inReplyTo);
      return `reply on ${to?.path ?? '?'}:${to?.line ?? '?'}: “${quote(r.body)}”`;
    }),
    ...onPull.map((c) => `on the pull request: “${quote(c.body)}”`),
    `cost with the round: ${roundUsd(parseUsd(rounds.totalUsd))}`,
  ];
  return {
    lines,
    json: {
      round: { run_id: roundId, status: round?.status ?? null, commit },
      replies: replies.map((r) => ({ in_reply_to: r.inReplyTo, body: r.body })),
      pull_request_comments: onPull.map((c) => c.body),
      cost_with_rounds_usd: rounds.totalUsd,
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
