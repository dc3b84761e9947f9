import { checkSettings } from '../channels/channel-settings.js';
import { implementRequest } from '../channels/implement-request.js';
import type { Engine } from '../engine/engine.js';
import type { ActionRunner } from '../engine/runners.js';
import type { Logger } from '../log/create-logger.js';
import { loopCall } from '../pr-loop/may-ask.js';
import type { PrLoop } from '../pr-loop/pr-loop.js';
import { commentOnRun, describeCommentOutcome } from '../pr-loop/run-feedback.js';
import type { Run } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';
import { originOf, starterOf, tookTriggerLabel } from './run-origin.js';
import {
  classifyJiraEvent,
  classifyLinearEvent,
  type TrackerSignal,
  type TrackerSource,
  type TriggerOptions,
} from './classify-tracker-event.js';

export interface TrackerTriggersOptions {
  readonly store: Store;
  readonly engine: Pick<Engine, 'startRun' | 'cancel' | 'workflows'>;
  /** The configured plugins (per channel): comments back on the issue. */
  readonly actions: ActionRunner;
  readonly pullRequests: PrLoop;
  readonly settings: TriggerOptions & { readonly followupAccounts: readonly string[] };
  /**
   * Shows a run in its channel as a Slack command's run is shown (its message, the plan with
   * Approve/Reject in its thread): what the Slack front end does, when there is one.
   */
  readonly announce?: (run: Run, channelId: string) => Promise<void>;
  /** aidev's own account on the tracker, as the tracker plugin says (Jira `myself`, Linear `viewer`). */
  readonly identity?: () => Promise<string | undefined>;
  readonly log: Logger;
}

/** How long the tracker's answer to "who is aidev here" is kept. */
const IDENTITY_TTL_MS = 10 * 60_000;

/** Steps after which a run has passed its approval: a removed label no longer stops it. */
const APPROVAL_STEP_KIND = 'approval';

/**
 * Work that starts where it lives: a Jira or Linear webhook delivery (recorded by its route)
 * is acted on once. The trigger label or an assignment to aidev starts the channel's workflow
 * in the channel mapped to the issue's project (its `tracker_project`), exactly as
 * `/aidev implement KEY` would there — so the plan is approved in that channel's thread by its
 * approvers; removing the label or the assignment cancels a run whose plan is not approved
 * yet; a comment mentioning aidev on an issue whose run is done asks for changes on its pull
 * request. What happened is told on the issue.
 */
export class TrackerTriggers {
  private own: { account: string | undefined; until: number } | undefined;

  constructor(private readonly options: TrackerTriggersOptions) {}

  /** The configured accounts, and the one the tracker plugin signs in as (asked once a while). */
  private async settings(): Promise<TriggerOptions> {
    const { settings, identity, log } = this.options;
    if (this.own === undefined || this.own.until < Date.now()) {
      const account = await identity?.().catch((error: unknown) => {
        log.warn({ err: error }, 'could not learn aidev’s own account on the tracker');
        return undefined;
      });
      this.own = {
        account,
        until: Date.now() + (account === undefined ? 60_000 : IDENTITY_TTL_MS),
      };
    }
    const account = this.own.account;
    return account === undefined || account === ''
      ? settings
      : { ...settings, botAccounts: [...settings.botAccounts, account] };
  }

  async handleDelivery(source: TrackerSource, deliveryId: string): Promise<string> {
    const { store, log } = this.options;
    const delivery = await store.webhookDeliveries.get(source, deliveryId);
    if (delivery === null) return 'no such delivery';
    if (delivery.handledAt !== null) return delivery.outcome ?? 'handled';
    const settings = await this.settings();
    const signal =
      source === 'jira'
        ? classifyJiraEvent(delivery.payload, settings)
        : classifyLinearEvent(delivery.payload, settings);
    const outcome = await this.act(source, deliveryId, signal);
    await store.webhookDeliveries.markHandled(source, deliveryId, outcome.slice(0, 500));
    log.info(
      { source, delivery: deliveryId, event: delivery.event, outcome },
      `acted on a ${source === 'jira' ? 'Jira' : 'Linear'} delivery`,
    );
    return outcome;
  }

  private async act(source: TrackerSource, deliveryId: string, signal: TrackerSignal) {
    if (signal.kind === 'ignored') return `ignored: ${signal.reason}`;
    const { store } = this.options;
    const channels = await store.channels.byTrackerProject(signal.project);
    const channel = channels[0];
    if (channel === undefined) {
      const message = `aidev was asked to work on ${signal.issueKey}, but no channel takes work from ${signal.project}: in the Slack channel whose team approves it, run /aidev config set tracker_project=${signal.project}`;
      this.options.log.warn(
        { source, issue: signal.issueKey, project: signal.project },
        'a tracker asked for work on a project no channel maps',
      );
      await this.commentOnIssue(null, signal.issueKey, message);
      return `ignored: no channel maps ${signal.project}`;
    }
    if (channels.length > 1)
      this.options.log.warn(
        { project: signal.project, channels: channels.map((c) => c.channelId) },
        'several channels map one tracker project; the first takes its work',
      );
    switch (signal.kind) {
      case 'start':
        return this.start(source, deliveryId, channel.channelId, channel.settings, signal);
      case 'stop':
        return this.stop(source, channel.channelId, signal);
      case 'comment':
        return this.followUp(source, deliveryId, channel.channelId, signal);
    }
  }

  private async start(
    source: TrackerSource,
    deliveryId: string,
    channelId: string,
    stored: unknown,
    signal: Extract<TrackerSignal, { kind: 'start' }>,
  ): Promise<string> {
    const { store, engine } = this.options;
    const checked = checkSettings(stored);
    const settings = checked.ok ? checked.settings : {};
    const request = implementRequest(engine.workflows, settings, { key: signal.issueKey });
    if (!request.ok) {
      const why =
        request.problem === 'no_repository'
          ? `the channel has no repository: run /aidev config set repository=owner/name there`
          : `the channel's workflow ${request.workflow} does not exist`;
      await this.commentOnIssue(
        null,
        signal.issueKey,
        `aidev cannot start ${signal.issueKey}: ${why}.`,
        channelId,
      );
      return `not started: ${why}`;
    }
    const active = await store.runs.findActive(channelId, signal.issueKey);
    if (active !== null) return `already running: run ${active.id} (${active.status})`;
    const { run, created } = await engine.startRun({
      workflow: request.workflow,
      inputs: request.inputs,
      trigger: 'tracker',
      channelId,
      taskKey: signal.issueKey,
      // The same delivery (a retried job) starts the same run.
      idempotencyKey: `${source}:${deliveryId}`,
    });
    if (created) {
      await this.options.announce?.(run, channelId);
      await this.commentOnIssue(
        run,
        signal.issueKey,
        `aidev is on it (${nameOf(signal.by)} ${signal.why}): the plan is posted in Slack channel ${slackChannelLink(channelId)} for its approvers; the pull request follows once it is approved. Run ${run.id}.`,
      );
    }
    return `started run ${run.id} in ${channelId}`;
  }

  /** The label removed or aidev unassigned: a run whose plan is not approved yet is cancelled. */
  private async stop(
    source: TrackerSource,
    channelId: string,
    signal: Extract<TrackerSignal, { kind: 'stop' }>,
  ): Promise<string> {
    const { store, engine } = this.options;
    const active = await store.runs.findActive(channelId, signal.issueKey);
    if (active === null) return `ignored: ${signal.issueKey} has no run under way`;
    // The tracker stops what the tracker started; a run asked for in Slack or by the API is
    // stopped there (a label taken off in the tracker may not be about it).
    if (active.trigger !== 'tracker')
      return `kept run ${active.id}: it was started from ${active.trigger}, not the tracker`;
    const origin = await originOf(store, active);
    if (
      signal.removedLabelIds !== undefined &&
      (origin === null ||
        !tookTriggerLabel(origin, this.options.settings.label, signal.removedLabelIds))
    )
      return `ignored: the label removed from ${signal.issueKey} was not ${this.options.settings.label}`;
    const steps = await store.steps.listForRun(active.id);
    const approved = steps.some((s) => s.kind === APPROVAL_STEP_KIND && s.status === 'succeeded');
    if (approved) return `kept run ${active.id}: its plan was approved already`;
    const outcome = await engine.cancel(active.id, `${source}:${signal.by}`);
    if (outcome.outcome !== 'cancelling') return `ignored: run ${active.id} already ended`;
    await this.commentOnIssue(
      active,
      signal.issueKey,
      `aidev stopped: ${nameOf(signal.by)} ${signal.why} before the plan was approved (run ${active.id} cancelled).`,
    );
    return `cancelled run ${active.id}`;
  }

  /** A comment that mentions aidev, on an issue whose run opened a pull request: feedback. */
  private async followUp(
    source: TrackerSource,
    deliveryId: string,
    channelId: string,
    signal: Extract<TrackerSignal, { kind: 'comment' }>,
  ): Promise<string> {
    const { store } = this.options;
    const runs = await store.runs.list({ channelId, limit: 50 });
    const run = runs.items.find((r) => r.taskKey === signal.issueKey && r.trigger !== 'feedback');
    if (run === undefined) return `ignored: ${signal.issueKey} has no run to follow up`;
    if (!(await this.mayFollowUp(run, signal))) {
      await this.commentOnIssue(
        run,
        signal.issueKey,
        `aidev did not act on the comment of ${nameOf(signal.by)}: changes to the work of run ${run.id} are asked for here by the person who started it, or in its thread in Slack channel ${slackChannelLink(channelId)} (tracker_triggers.followup_accounts names others who may).`,
      );
      return `ignored: ${nameOf(signal.by)} may not ask for changes to run ${run.id} from the tracker`;
    }
    const outcome = await commentOnRun(store, this.options.pullRequests, {
      runId: run.id,
      comments: [{ body: signal.body }],
      author: `${source}:${signal.by}`,
      origin: `${source}:${signal.commentId || deliveryId}`,
      requestId: deliveryId,
    });
    return describeCommentOutcome(outcome);
  }

  /**
   * Whether the comment's writer may ask for a round of changes from the tracker: a round
   * pushes commits with no approval in between, and anyone who may comment on an issue (a
   * service desk's customers, say) is not someone to take orders from. The person who started
   * the run from the tracker may, and the accounts in tracker_triggers.followup_accounts;
   * everyone else asks in the run's Slack thread.
   */
  private async mayFollowUp(
    run: Run,
    signal: Extract<TrackerSignal, { kind: 'comment' }>,
  ): Promise<boolean> {
    const account = signal.account.toLowerCase();
    if (account === '') return false;
    if (this.options.settings.followupAccounts.some((a) => a.toLowerCase() === account))
      return true;
    const origin = await originOf(this.options.store, run);
    return origin !== null && starterOf(origin, await this.settings()).toLowerCase() === account;
  }

  /** Tells the issue what aidev did (or why not), through the channel's tracker plugin. */
  private async commentOnIssue(
    run: Run | null,
    issueKey: string,
    body: string,
    channelId: string | null = run?.channelId ?? null,
  ): Promise<void> {
    const { actions, log } = this.options;
    const on: Run =
      run ??
      ({
        id: '00000000-0000-4000-8000-000000000000',
        workflowName: 'tracker-trigger',
        channelId,
        userId: null,
      } as Run);
    await actions
      .run({
        ...loopCall(on, log, `tracker-comment:${issueKey}:${body.length}`),
        plugin: 'task_management',
        action: 'add_comment',
        input: { task_id: issueKey, comment: body },
      })
      .catch((error: unknown) =>
        log.warn({ err: error, issue: issueKey }, 'could not tell the issue what aidev did'),
      );
  }
}

/**
 * A person's name from a delivery, as plain words: a display name is text anyone can set, and
 * in a comment on the issue `[~accountid:…]`, `@team` or markup would mention or format.
 */
function nameOf(name: string): string {
  const plain = name
    .replace(/[^\p{L}\p{N} ._'-]/gu, '')
    .trim()
    .slice(0, 80);
  return plain === '' ? 'someone' : plain;
}

/** A link that opens the channel in Slack (Slack's documented app_redirect address). */
function slackChannelLink(channelId: string): string {
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(channelId)}`;
}
