import { runMessage } from '../../blocks/run-message.js';
import type { App } from '../app/create-app.js';
import { parseUsd, roundUsd } from '../costs/money.js';
import type { Logger } from '../log/create-logger.js';
import type { SlackRunMessage } from '../store/repositories/slack-run-messages.js';
import type { Run } from '../store/repositories/runs.js';
import { milestoneOf } from './milestones.js';
import { roundMilestoneOf } from './round-milestones.js';
import { roundOf, roundsOf, type RoundOfRun } from './run-rounds.js';
import type { SlackWeb } from '../adapters/slack/slack-web.js';

const FINISHED: readonly Run['status'][] = ['succeeded', 'failed', 'cancelled'];

/**
 * Keeps Slack up to date with the runs started there: one parent message per run, updated in
 * place, and thread replies for milestones. The rounds of fixes on a pull request such a run
 * opened (#18) are told in its thread, and counted in its parent message. It reads the run log from the database, so it
 * tells runs whichever worker executes them, and resumes after a restart where it stopped;
 * each run is told by one server at a time (a lease). A Slack failure never touches the run:
 * what could not be posted is tried again on the next round.
 */
export class RunNotifier {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** What each parent message shows now, so that it is only updated when that changes. */
  private readonly shown = new Map<string, string>();

  constructor(
    private readonly options: {
      app: App;
      web: SlackWeb;
      owner: string;
      log: Logger;
      intervalMs?: number;
    },
  ) {}

  /**
   * Starts telling `run` in `channel`; its parent message follows within a moment. The round is
   * deferred a little so that a burst of commands gets its acks before any message is posted.
   */
  async track(run: Run, channelId: string, teamId: string | null): Promise<void> {
    await this.options.app.store.slackMessages.track({ runId: run.id, teamId, channelId });
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.tick();
    }, 100);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    await this.running;
  }

  /** One round: every unfinished run this server may tell (rounds never overlap). */
  tick(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    const { app, owner, log } = this.options;
    try {
      await app.store.slackMessages.adoptRounds();
      for (const row of await app.store.slackMessages.claim(owner, 30_000)) {
        try {
          await this.tell(row);
        } catch (error) {
          log.warn(
            { err: error, runId: row.runId },
            'could not update Slack about a run; trying again later',
          );
        }
      }
    } catch (error) {
      log.warn({ err: error }, 'could not read the runs to tell in Slack');
    }
  }

  private async tell(row: SlackRunMessage): Promise<void> {
    const { app, web } = this.options;
    const { store } = app;
    const run = await store.runs.get(row.runId);
    if (run === null) return store.slackMessages.update(row.runId, { finished: true });
    // A round is told in its parent run's thread (its row has that parent message): no parent
    // message of its own; the parent's shows the rounds.
    const round = row.parentTs === null ? undefined : await roundOf(store, run);
    const [steps, costUsd, events] = await Promise.all([
      store.steps.listForRun(run.id),
      store.costs.totalForRun(run.id),
      store.events.listForRun(run.id, { afterId: row.lastEventId, limit: 200 }),
    ]);
    let parentTs = row.parentTs;
    if (parentTs === null) {
      const parent = await this.parentMessage(run, steps, costUsd);
      parentTs = (await web.postMessage({ channel: row.channelId, ...parent })).ts;
      await store.slackMessages.update(run.id, { parentTs });
      this.shown.set(run.id, parent.text + JSON.stringify(parent.blocks));
    }
    let last = row.lastEventId;
    try {
      for (const event of events) {
        const milestone =
          round === undefined
            ? milestoneOf(event, { run, steps, costUsd })
            : roundMilestoneOf(event, { run, steps, costUsd, round: round.number });
        if (milestone !== undefined) {
          const posted = await web.postMessage({
            channel: row.channelId,
            text: milestone.text,
            blocks: milestone.blocks,
            ...(milestone.where === 'thread' ? { threadTs: parentTs } : {}),
          });
          if (milestone.plan !== undefined)
            await store.slackMessages.update(run.id, {
              planTs: posted.ts,
              planRevision: milestone.plan.revision,
            });
        }
        last = event.id;
      }
    } finally {
      if (last !== row.lastEventId) await store.slackMessages.update(run.id, { lastEventId: last });
    }
    if (round === undefined) await this.showParent(run, row.channelId, parentTs, steps, costUsd);
    else await this.showRoundsOf(round, FINISHED.includes(run.status));
    if (FINISHED.includes(run.status) && events.length < 200) {
      await store.slackMessages.update(run.id, { finished: true });
      this.shown.delete(run.id);
    }
  }

  /** Updates a run's parent message, if what it shows changed. */
  private async showParent(
    run: Run,
    channel: string,
    ts: string,
    steps: Awaited<ReturnType<App['store']['steps']['listForRun']>>,
    costUsd: string,
  ): Promise<void> {
    const parent = await this.parentMessage(run, steps, costUsd);
    const signature = parent.text + JSON.stringify(parent.blocks);
    if (this.shown.get(run.id) === signature) return;
    await this.options.web.updateMessage({ channel, ts, ...parent });
    this.shown.set(run.id, signature);
  }

  /** A round moved on: the parent message of the run that opened its pull request shows it. */
  private async showRoundsOf(round: RoundOfRun, roundEnded: boolean): Promise<void> {
    const { store } = this.options.app;
    const [parent, row] = await Promise.all([
      store.runs.get(round.parentRunId),
      store.slackMessages.get(round.parentRunId),
    ]);
    if (parent === null || row?.parentTs == null) return;
    const [steps, costUsd] = await Promise.all([
      store.steps.listForRun(parent.id),
      store.costs.totalForRun(parent.id),
    ]);
    await this.showParent(parent, row.channelId, row.parentTs, steps, costUsd);
    // A run no longer told is forgotten once its round ends (the next round shows it again).
    if (roundEnded && row.finished) this.shown.delete(parent.id);
  }

  private async parentMessage(
    run: Run,
    steps: Awaited<ReturnType<App['store']['steps']['listForRun']>>,
    costUsd: string,
  ) {
    const order = this.stepOrder(run);
    const byName = new Map(steps.map((s) => [s.stepName, s]));
    const names = [...order, ...steps.map((s) => s.stepName).filter((n) => !order.includes(n))];
    const lines = names
      .filter((name) => byName.has(name) || !FINISHED.includes(run.status))
      .map((name) => {
        const step = byName.get(name);
        const end = step?.finishedAt ?? undefined;
        return {
          name,
          status: step?.status ?? 'pending',
          durationMs:
            step?.startedAt == null || end === undefined
              ? undefined
              : end.getTime() - step.startedAt.getTime(),
        };
      });
    const prUrl = steps
      .map((s) => (s.outputs as { pr_url?: unknown } | null)?.pr_url)
      .find((u): u is string => typeof u === 'string');
    const error =
      run.status === 'failed' ? (run.error as { message?: string } | null)?.message : undefined;
    const rounds = await roundsOf(
      this.options.app.store,
      run.id,
      this.options.app.config.pullRequests.maxFixRounds,
    );
    return runMessage({
      runId: run.id,
      title: `${run.taskKey ?? run.workflowName}${titleOf(steps)}`,
      status: run.status,
      waitingFor: run.waitingFor,
      steps: lines,
      costUsd: roundUsd(parseUsd(costUsd) + rounds.costUnits),
      prUrl,
      error,
      rounds: rounds.line,
    });
  }

  private stepOrder(run: Run): string[] {
    try {
      return this.options.app.engine.workflows
        .fromDefinition(run.workflowDefinition, run.workflowDigest)
        .steps.map((s) => s.name);
    } catch {
      return [];
    }
  }
}

/** ": <task title>" once the task was fetched. */
function titleOf(steps: readonly { stepName: string; outputs: unknown }[]): string {
  const task = steps
    .map((s) => (s.outputs as { task?: { title?: unknown } } | null)?.task)
    .find((t) => t !== undefined);
  return typeof task?.title === 'string' ? `: ${task.title}` : '';
}
