import type { App } from '../../app/create-app.js';
import type { RunEvent } from '../../store/repositories/run-events.js';
import type { RunStep } from '../../store/repositories/run-steps.js';
import type { Run } from '../../store/repositories/runs.js';

/** One line of the progress view: a workflow step as it stands now. */
export interface StepLine {
  readonly name: string;
  readonly description: string;
  readonly status: RunStep['status'] | 'not_started';
  readonly attempt: number;
  readonly durationMs: number | undefined;
  readonly detail: string | undefined;
}

/** A run as the command line shows it: its steps in workflow order, its cost, its log. */
export interface RunSnapshot {
  readonly run: Run;
  readonly steps: readonly StepLine[];
  readonly costUsd: string;
  /** Events since the previous snapshot. */
  readonly newEvents: readonly RunEvent[];
}

export const FINISHED: readonly Run['status'][] = ['succeeded', 'failed', 'cancelled'];

/**
 * Reads a run's state from the store, whichever worker executes it (this process, another
 * one, another machine): the workflow's steps in order, each with its record if it has one.
 */
export class RunReader {
  private lastEventId = 0;
  private readonly descriptions = new Map<string, string>();
  private order: string[] | undefined;

  constructor(
    private readonly app: App,
    readonly runId: string,
  ) {}

  async read(): Promise<RunSnapshot> {
    const { store } = this.app;
    const run = await store.runs.get(this.runId);
    if (run === null) throw new Error(`there is no run ${this.runId}`);
    this.order ??= this.stepOrder(run);
    const rows = new Map((await store.steps.listForRun(run.id)).map((s) => [s.stepName, s]));
    const names = [...this.order, ...[...rows.keys()].filter((n) => !this.order?.includes(n))];
    const steps = names
      .filter((name) => rows.has(name) || !FINISHED.includes(run.status))
      .map((name) => line(name, this.descriptions.get(name) ?? '', rows.get(name)));
    const newEvents = await store.events.listForRun(run.id, { afterId: this.lastEventId });
    this.lastEventId = newEvents.at(-1)?.id ?? this.lastEventId;
    return { run, steps, costUsd: await store.costs.totalForRun(run.id), newEvents };
  }

  private stepOrder(run: Run): string[] {
    try {
      const workflow = this.app.engine.workflows.fromDefinition(
        run.workflowDefinition,
        run.workflowDigest,
      );
      for (const step of workflow.steps) this.descriptions.set(step.name, step.description);
      return workflow.steps.map((s) => s.name);
    } catch {
      return [];
    }
  }
}

function line(name: string, description: string, row: RunStep | undefined): StepLine {
  if (row === undefined)
    return {
      name,
      description,
      status: 'not_started',
      attempt: 0,
      durationMs: undefined,
      detail: undefined,
    };
  const end = row.finishedAt ?? (row.status === 'running' ? new Date() : undefined);
  return {
    name,
    description,
    status: row.status,
    attempt: row.attempt,
    durationMs:
      row.startedAt === null || end === undefined
        ? undefined
        : end.getTime() - row.startedAt.getTime(),
    detail: detailOf(row),
  };
}

function detailOf(row: RunStep): string | undefined {
  if (row.status === 'skipped') return row.skipReason ?? undefined;
  if (row.status === 'failed') return (row.error as { message?: string } | null)?.message;
  if (row.status === 'waiting') {
    const pause = (row.inputs as { pause?: string; message?: string } | null) ?? {};
    return pause.pause === 'budget' ? `budget: ${pause.message ?? ''}` : 'waiting for approval';
  }
  return undefined;
}
