import { roundUsd, parseUsd } from '../../costs/money.js';
import type { RunStep } from '../../store/repositories/run-steps.js';
import type { Run } from '../../store/repositories/runs.js';
import type { JsonObject } from '../../store/sql.js';

/** What a finished run produced that a person wants to open, found in its step outputs. */
const LINKS: readonly [string, string][] = [
  ['pr_url', 'Pull request'],
  ['doc_url', 'Documentation'],
  ['branch_url', 'Branch'],
];

export interface RunSummary {
  readonly lines: readonly string[];
  readonly json: JsonObject;
}

/** The closing lines of a followed run: how it ended, its links, its cost, what to do next. */
export function summarise(run: Run, steps: readonly RunStep[], costUsd: string): RunSummary {
  const links: Record<string, string> = {};
  for (const step of steps)
    for (const [field] of LINKS) {
      const value = (step.outputs as Record<string, unknown> | null)?.[field];
      if (typeof value === 'string') links[field] = value;
    }
  const cost = roundUsd(parseUsd(costUsd));
  const title = run.taskKey ?? run.workflowName;
  const lines: string[] = [];
  switch (run.status) {
    case 'succeeded':
      lines.push(`✓ ${title}: ${run.workflowName} succeeded.`);
      break;
    case 'failed': {
      const error = run.error as { message?: string; step?: string } | null;
      const failedStep = steps.find((s) => s.status === 'failed');
      lines.push(
        `✗ ${title}: ${run.workflowName} failed${failedStep === undefined ? '' : ` at ${failedStep.stepName}`}: ${error?.message ?? 'no reason recorded'}`,
      );
      break;
    }
    case 'cancelled':
      lines.push(`↺ ${title}: the run was cancelled.`);
      break;
    case 'waiting':
      lines.push(
        run.waitingFor === 'budget'
          ? `? ${title} is paused at a budget: aidev budget grant ${run.id} AMOUNT, or aidev budget stop ${run.id}`
          : `? ${title} waits for approval: aidev approve ${run.id}, or aidev reject ${run.id} --feedback "…"`,
      );
      break;
    case 'queued':
    case 'running':
      lines.push(
        `… ${title} goes on in the background (aidev worker); follow it with aidev run ${run.id}`,
      );
      break;
  }
  for (const [field, label] of LINKS)
    if (links[field] !== undefined) lines.push(`  ${label}: ${links[field]}`);
  lines.push(
    `  Cost: ${cost}`,
    `  Run: ${run.id} (aidev run ${run.id} shows every step and event)`,
  );
  return {
    lines,
    json: {
      run_id: run.id,
      workflow: run.workflowName,
      status: run.status,
      waiting_for: run.waitingFor,
      task_key: run.taskKey,
      cost_usd: costUsd,
      error: run.error,
      ...links,
    },
  };
}
