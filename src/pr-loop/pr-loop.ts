import type { Engine } from '../engine/engine.js';
import type { ActionRunner } from '../engine/runners.js';
import type { Logger } from '../log/create-logger.js';
import type { FeedbackKind, NextRound, QueuedFeedback } from '../store/repositories/pr-rounds.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { actOnForgeDelivery, FORGE_SOURCES, type ForgeSource } from './github-delivery.js';
import { handOverMessage } from './loop-texts.js';
import { loopCall, mayAsk, PermissionCache } from './may-ask.js';
import { withoutOutdatedChecks } from './outdated-checks.js';
import { roundInputs } from './round-inputs.js';
import { describeFeedback } from './rounds-of-run.js';

/** The workflow each round runs (workflows/address-feedback.yaml). */
export const ROUND_WORKFLOW = 'address-feedback';

export interface PrLoopSettings {
  /** Rounds per pull request before a person is asked (`pull_requests.max_fix_rounds`). */
  readonly maxFixRounds: number;
  /** Names that call aidev in a comment (`pull_requests.mentions`, plus the App's slug). */
  readonly mentions: readonly string[];
  /** Other bots whose comments count (`pull_requests.allowed_bots`). */
  readonly allowedBots: readonly string[];
}

export interface PrLoopOptions {
  readonly store: Store;
  readonly engine: Pick<Engine, 'startRun' | 'workflows' | 'events'>;
  /** The configured plugins (per channel): permissions, the hand-over comment and message. */
  readonly actions: ActionRunner;
  readonly settings: PrLoopSettings;
  /**
   * aidev's own logins and extra mention names as the version-control service knows them (a
   * GitHub App's `slug[bot]`, a token's user): its own comments are never feedback.
   */
  readonly identity?: () => Promise<{ logins: readonly string[]; mentions: readonly string[] }>;
  readonly log: Logger;
}

/** Feedback from a person or a check, before it is queued. */
export interface NewFeedback {
  readonly sourceId: string;
  readonly kind: FeedbackKind;
  readonly author: string;
  readonly item: JsonObject;
  readonly origin: string;
}

export type FeedbackOutcome =
  | { readonly outcome: 'queued' | 'already_queued'; readonly next: NextRound }
  | { readonly outcome: 'not_allowed'; readonly reason: string }
  | { readonly outcome: 'outdated'; readonly reason: string }
  | { readonly outcome: 'ended'; readonly reason: string };

/**
 * The pull-request loop: feedback on a pull request aidev opened is queued for it, and rounds
 * (runs of the address-feedback workflow) take it up one at a time, at most `maxFixRounds`,
 * after which a person is asked. Every decision is made under a lock on the pull request in
 * the database, so any number of servers and workers may call in at once: one round runs.
 */
export class PrLoop {
  private readonly permissions = new PermissionCache();

  constructor(private readonly options: PrLoopOptions) {}

  /**
   * Acts on a recorded webhook delivery, once: a second call (a redelivery, a retried job)
   * returns the outcome recorded the first time.
   */
  async handleDelivery(deliveryId: string, source: ForgeSource = 'github'): Promise<string> {
    return actOnForgeDelivery(this.options, this, source, deliveryId);
  }

  /**
   * Queues feedback on a pull request aidev opened, if its authors may ask (write access to the
   * repository; checks and `trusted` feedback need none), and moves the loop on. Several pieces
   * at once (a review's comments) are queued together, so that one round takes them all.
   */
  async addFeedback(
    pullUrl: string,
    feedback: NewFeedback | readonly NewFeedback[],
    options: { trusted?: boolean } = {},
  ): Promise<FeedbackOutcome> {
    const { store } = this.options;
    const given: readonly NewFeedback[] = Array.isArray(feedback) ? feedback : [feedback];
    const owned = await store.pullRequests.byUrl(pullUrl);
    if (owned === null) return { outcome: 'ended', reason: 'aidev did not open this pull request' };
    if (owned.state !== 'open')
      return { outcome: 'ended', reason: `the pull request is ${owned.state}` };
    const run = await store.runs.get(owned.runId);
    if (run === null) return { outcome: 'ended', reason: 'the run that opened it was deleted' };
    const call = loopCall(run, this.options.log, `pr-feedback:${pullUrl}`);
    const current = await withoutOutdatedChecks(this.options.actions, call, owned, given);
    const pieces = current.kept;
    if (pieces.length === 0) return { outcome: 'outdated', reason: current.reasons.join('; ') };
    if (options.trusted !== true) {
      const people = new Set(pieces.filter((p) => p.kind !== 'failing_check').map((p) => p.author));
      for (const author of people) {
        const call = loopCall(run, this.options.log, `pr-permission:${pullUrl}`);
        const allowed = await mayAsk(this.options.actions, call, owned, author, this.permissions);
        if (!allowed.ok) return { outcome: 'not_allowed', reason: allowed.reason };
      }
    }
    let fresh = false;
    for (const piece of pieces)
      fresh = (await store.prRounds.queue({ pullUrl, ...piece })) || fresh;
    return { outcome: fresh ? 'queued' : 'already_queued', next: await this.advance(pullUrl) };
  }

  /**
   * Moves a pull request's loop on: starts the next round if feedback waits and no round runs,
   * or asks a person once the rounds are used up. Safe to call at any time, from anywhere.
   */
  async advance(pullUrl: string): Promise<NextRound> {
    const { store, settings, engine } = this.options;
    // A workflows directory of one's own may lack the round's workflow: say so, start nothing.
    if (!engine.workflows.names().includes(ROUND_WORKFLOW))
      return {
        kind: 'ended',
        reason: `rounds of fixes run the ${ROUND_WORKFLOW} workflow, which is not in the workflows directory (copy workflows/${ROUND_WORKFLOW}.yaml from aidev)`,
      };
    const next = await store.transaction((tx) => tx.prRounds.next(pullUrl, settings.maxFixRounds));
    if (next.kind === 'start')
      await this.start(next.round.pullUrl, next.round.number, next.feedback);
    if (next.kind === 'capped' && next.firstTime) await this.handOver(pullUrl, next);
    return next;
  }

  /** A run ended: if it was a round, its run tells the parent's log, and the next may start. */
  async runEnded(runId: string): Promise<void> {
    const { store } = this.options;
    const round = await store.prRounds.byRun(runId);
    if (round === null) return;
    const owned = await store.pullRequests.byUrl(round.pullUrl);
    if (owned !== null)
      await this.tellParent(
        owned.runId,
        'round.ended',
        `round ${round.number} of fixes on pull request #${owned.number} ${round.status ?? 'ended'}`,
        {
          round: round.number,
          run_id: runId,
          status: round.status,
          pull_request: round.pullUrl,
          cost_usd: await store.costs.totalForRun(runId),
        },
      );
    await this.advance(round.pullUrl);
  }

  /**
   * Writes a round's news to the log of the run that opened the pull request (and publishes
   * it), so that whoever follows that run — aidev run, the event stream — sees its rounds.
   */
  private async tellParent(
    runId: string,
    type: 'round.started' | 'round.ended' | 'round.handed_over',
    message: string,
    data: JsonObject,
  ): Promise<void> {
    const event = await this.options.store.events.append({ runId, type, message, data });
    this.options.engine.events.publish({
      type,
      runId,
      level: 'info',
      message,
      data,
      at: event.createdAt,
    });
  }

  /**
   * Moves on every loop that may have been left waiting (a process died mid-way), and acts on
   * deliveries recorded more than `graceMs` ago and never acted on.
   */
  async sweep(graceMs = 60_000): Promise<number> {
    const { store, log } = this.options;
    let moved = 0;
    for (const url of await store.prRounds.needingAttention()) {
      try {
        if ((await this.advance(url)).kind === 'start') moved++;
      } catch (error) {
        log.warn({ err: error, pullRequest: url }, 'could not move a pull request’s loop on');
      }
    }
    for (const source of FORGE_SOURCES)
      for (const delivery of await store.webhookDeliveries.unhandled(
        new Date(Date.now() - graceMs),
        { source },
      )) {
        await this.handleDelivery(delivery.deliveryId, source).catch((error: unknown) =>
          log.warn(
            { err: error, delivery: delivery.deliveryId, source },
            'could not act on a delivery',
          ),
        );
      }
    return moved;
  }

  private async start(pullUrl: string, number: number, feedback: QueuedFeedback[]) {
    const { store, engine, log } = this.options;
    const owned = await store.pullRequests.byUrl(pullUrl);
    const parent = owned === null ? null : await store.runs.get(owned.runId);
    if (owned === null || parent === null) return;
    const inputs = roundInputs({
      owned,
      parent,
      steps: await store.steps.listForRun(parent.id),
      round: number,
      maxRounds: this.options.settings.maxFixRounds,
      feedback,
      thread: (await store.slackMessages.get(parent.id))?.parentTs ?? null,
    });
    // A team's own address-feedback workflow gets the inputs it declares (a run refuses others).
    const declared = new Set(engine.workflows.get(ROUND_WORKFLOW).inputs.map((i) => i.name));
    const { run } = await engine.startRun({
      workflow: ROUND_WORKFLOW,
      inputs: Object.fromEntries(Object.entries(inputs).filter(([name]) => declared.has(name))),
      trigger: 'feedback',
      ...(parent.channelId === null ? {} : { channelId: parent.channelId }),
      ...(parent.userId === null ? {} : { userId: parent.userId }),
      ...(parent.projectId === null ? {} : { projectId: parent.projectId }),
      ...(parent.taskKey === null ? {} : { taskKey: parent.taskKey }),
      // A round recorded before a crash starts the same run when it is resumed.
      idempotencyKey: `pr-round:${pullUrl}#${number}`,
    });
    await store.prRounds.started(pullUrl, number, run.id);
    await this.tellParent(
      parent.id,
      'round.started',
      `round ${number} of fixes on pull request #${owned.number} started for ${describeFeedback(feedback)}`,
      {
        round: number,
        run_id: run.id,
        pull_request: pullUrl,
        feedback: feedback.map((f) => ({ source_id: f.sourceId, kind: f.kind, author: f.author })),
      },
    );
    log.info(
      { pullRequest: pullUrl, round: number, runId: run.id, feedback: feedback.length },
      'started a round of fixes on a pull request',
    );
  }

  /** The rounds are used up: say so on the pull request and in the run's channel, once. */
  private async handOver(pullUrl: string, next: Extract<NextRound, { kind: 'capped' }>) {
    const { store, actions, log } = this.options;
    const owned = await store.pullRequests.byUrl(pullUrl);
    const parent = owned === null ? null : await store.runs.get(owned.runId);
    if (owned === null || parent === null) return;
    const message = handOverMessage(owned, next);
    await this.tellParent(
      parent.id,
      'round.handed_over',
      `the ${next.rounds} rounds of fixes on pull request #${owned.number} are used up: a person was asked`,
      { rounds: next.rounds, pull_request: pullUrl, waiting: next.waiting.length },
    );
    const call = loopCall(parent, log, `pr-handover:${pullUrl}`);
    await actions
      .run({
        ...call,
        plugin: 'version_control',
        action: 'post_pull_request_comments',
        input: {
          repository: owned.repository,
          number: owned.number,
          key: 'handover',
          comments: [{ body: message }],
        },
      })
      .catch((error: unknown) =>
        log.warn(
          { err: error, pullRequest: pullUrl },
          'could not ask for a person on the pull request',
        ),
      );
    // Where the run was announced: its `channel` input, else the channel it was started in.
    const named = typeof parent.inputs.channel === 'string' ? parent.inputs.channel : '';
    const channel = named === '' ? (parent.channelId ?? '') : named;
    if (channel === '') return;
    const thread = (await store.slackMessages.get(parent.id))?.parentTs ?? undefined;
    await actions
      .run({
        ...call,
        plugin: 'communication',
        action: 'send_message',
        input: { channel, message, ...(thread === undefined ? {} : { thread }) },
      })
      .catch((error: unknown) =>
        log.warn({ err: error, pullRequest: pullUrl }, 'could not ask for a person in the channel'),
      );
  }
}
