import { roundUsd, parseUsd } from '../../costs/money.js';
import type { Run } from '../../store/repositories/runs.js';
import type { Store } from '../../store/store.js';
import { effectiveDeadline, waitedMs } from '../../engine/run-deadline.js';
import { parentRunOf, roundsView } from '../../http/api/views.js';
import { describeFeedback, roundsOfRun, type RunRounds } from '../../pr-loop/rounds-of-run.js';
import { withStore } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';
import { describeDeadline } from '../describe-deadline.js';

export interface RunsOptions extends GlobalOptions {
  readonly status?: string;
  readonly workflow?: string;
  readonly limit: string;
  readonly json?: boolean;
}

const when = (date: Date | null) =>
  date === null ? '' : date.toISOString().replace('T', ' ').slice(0, 19);
const usd = (text: string) => roundUsd(parseUsd(text));

function runJson(run: Run, costUsd: string) {
  return {
    id: run.id,
    workflow: run.workflowName,
    status: run.status,
    waiting_for: run.waitingFor,
    task_key: run.taskKey,
    trigger: run.trigger,
    channel_id: run.channelId,
    user_id: run.userId,
    cost_usd: costUsd,
    created_at: run.createdAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    // As the API shows them (src/engine/run-deadline.ts): waiting does not count.
    deadline_at: effectiveDeadline(run)?.toISOString() ?? null,
    waiting_since: run.waitingSince?.toISOString() ?? null,
    waited_ms: waitedMs(run),
    error: run.error,
  };
}

/** `aidev runs`, with the options already checked. */
export function runRuns(
  io: CliIo,
  options: GlobalOptions & Omit<RunsOptions, 'limit'> & { limit: number },
): Promise<ExitCode> {
  return withStore(io, options, 'runs', (store) => listRuns(io, store, options));
}

/** `aidev run ID`. */
export function runRun(io: CliIo, id: string, options: GlobalOptions & { json?: boolean }) {
  return withStore(io, options, 'run', (store) => showRun(io, store, id, options.json === true));
}

async function listRuns(
  io: CliIo,
  store: Store,
  options: Omit<RunsOptions, 'limit'> & { limit: number },
): Promise<ExitCode> {
  const page = await store.runs.list({
    limit: options.limit,
    ...(options.status === undefined ? {} : { status: options.status as Run['status'] }),
    ...(options.workflow === undefined ? {} : { workflowName: options.workflow }),
  });
  const rows = await Promise.all(
    page.items.map(async (run) => ({ run, cost: await store.costs.totalForRun(run.id) })),
  );
  if (options.json === true) {
    io.stdout.write(
      `${JSON.stringify(
        rows.map((r) => runJson(r.run, r.cost)),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  if (rows.length === 0) {
    io.stdout.write('No runs yet. Start one with: npx aidev demo\n');
    return EXIT.ok;
  }
  for (const { run, cost } of rows)
    io.stdout.write(
      `${run.id}  ${run.status.padEnd(9)}  ${run.workflowName.padEnd(15)}  ${(run.taskKey ?? '').padEnd(10)}  ${usd(cost).padStart(8)}  ${when(run.createdAt)}\n`,
    );
  return EXIT.ok;
}

async function showRun(io: CliIo, store: Store, id: string, json: boolean): Promise<ExitCode> {
  const run = await store.runs.get(id);
  if (run === null) {
    io.stderr.write(`aidev run: there is no run ${JSON.stringify(id)} (aidev runs lists them)\n`);
    return EXIT.failed;
  }
  const [steps, events, cost, costs, rounds] = await Promise.all([
    store.steps.listForRun(id),
    store.events.listForRun(id, { limit: 5_000 }),
    store.costs.totalForRun(id),
    store.costs.listForRun(id),
    roundsOfRun(store, id),
  ]);
  if (json) {
    io.stdout.write(
      `${JSON.stringify(
        {
          ...runJson(run, cost),
          inputs: run.inputs,
          ...roundsView(rounds, parentRunOf(run)),
          cost_with_rounds_usd: rounds.totalUsd,
          steps: steps.map((s) => ({
            name: s.stepName,
            status: s.status,
            attempt: s.attempt,
            outputs: s.outputs,
            error: s.error,
            skip_reason: s.skipReason,
            started_at: s.startedAt,
            finished_at: s.finishedAt,
          })),
          events: events.map((e) => ({
            type: e.type,
            step: e.stepName,
            level: e.level,
            message: e.message,
            at: e.createdAt,
          })),
          costs: costs.map((c) => ({
            step: c.stepName,
            provider: c.provider,
            model: c.model,
            input_tokens: c.inputTokens,
            output_tokens: c.outputTokens,
            cache_write_tokens: c.cacheWriteTokens + c.cacheWrite1hTokens,
            cache_read_tokens: c.cacheReadTokens,
            usd: c.usd,
          })),
        },
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const deadline = describeDeadline(run);
  io.stdout.write(
    `${run.workflowName} ${run.taskKey ?? ''} · ${run.status}${run.waitingFor === null ? '' : ` (for ${run.waitingFor})`} · ${usd(cost)} · run ${run.id}\n${deadline === undefined ? '' : `${deadline}\n`}`,
  );
  writeRounds(io, rounds, parentRunOf(run));
  io.stdout.write('\nSteps\n');
  for (const s of steps)
    io.stdout.write(
      `  ${s.status.padEnd(11)} ${s.stepName}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}${s.skipReason === null ? '' : `: ${s.skipReason}`}\n`,
    );
  io.stdout.write('\nEvents\n');
  for (const e of events) io.stdout.write(`  ${when(e.createdAt)}  ${e.message}\n`);
  return EXIT.ok;
}

/** The pull requests a run opened with their rounds of fixes, or the round the run is. */
function writeRounds(io: CliIo, rounds: RunRounds, parentRun: string | null): void {
  if (rounds.roundOf !== null)
    io.stdout.write(
      `round ${rounds.roundOf.number} of fixes on pull request #${rounds.roundOf.pull.number}: ${rounds.roundOf.pull.url}${parentRun === null ? '' : ` (opened by run ${parentRun})`}\n`,
    );
  for (const { pull, rounds: made, waiting } of rounds.pulls) {
    io.stdout.write(`pull request #${pull.number} (${pull.state}): ${pull.url}\n`);
    for (const r of made)
      io.stdout.write(
        `  round ${r.number}  ${(r.status ?? 'starting').padEnd(9)}  ${usd(r.costUsd).padStart(8)}  ${describeFeedback(r.feedback)}${r.runId === null ? '' : `  (run ${r.runId})`}\n`,
      );
    if (waiting.length > 0)
      io.stdout.write(
        `  ${pull.handedOverAt === null ? 'waiting for the next round' : 'waiting for a person (the rounds are used up)'}: ${describeFeedback(waiting)}\n`,
      );
  }
  if (rounds.pulls.some((p) => p.rounds.length > 0))
    io.stdout.write(`cost with the rounds of fixes: ${usd(rounds.totalUsd)}\n`);
}
