import type { App as Bolt } from '@slack/bolt';
import { z } from 'zod';
import { BUDGET_GRANT, BUDGET_RAISE, BUDGET_STOP } from '../../blocks/budget-blocks.js';
import { PLAN_APPROVE, PLAN_REJECT, REJECT_MODAL } from '../../blocks/plan-message.js';
import { onHomeOpened, onMessage } from './conversation.js';
import { onBudgetButton, onPlanButton, onRejectSubmitted } from './interactions.js';
import { onSlashCommand, type SlashDeps } from './slash-command.js';
import { foreignOrigin } from './request-origin.js';
import type { Reply } from '../../commands/command-context.js';

/** What the listeners hand on: all a slash command needs, of which the others use part. */
type Deps = SlashDeps;

/** The fields aidev reads from Slack's payloads, checked before use. */
const slashCommand = z.looseObject({
  team_id: z.string(),
  channel_id: z.string(),
  user_id: z.string(),
  text: z.string().default(''),
  trigger_id: z.string(),
});
const buttonClick = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  trigger_id: z.string(),
  container: z.looseObject({ channel_id: z.string(), message_ts: z.string() }),
  message: z
    .looseObject({ blocks: z.array(z.looseObject({ type: z.string() })).default([]) })
    .optional(),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().default('') })).min(1),
});
const rejectSubmission = z.looseObject({
  user: z.looseObject({ id: z.string() }),
  view: z.looseObject({
    private_metadata: z.string(),
    state: z.looseObject({
      values: z.record(
        z.string(),
        z.record(z.string(), z.looseObject({ value: z.string().nullable().optional() })),
      ),
    }),
  }),
});
const channelMessage = z.looseObject({
  user: z.string(),
  text: z.string().default(''),
  channel: z.string(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  subtype: z.string().optional(),
  bot_id: z.string().optional(),
});

/** An ephemeral answer in the ack, as Slack expects it. */
const ephemeral = (reply: Reply) => ({
  response_type: 'ephemeral',
  text: reply.text,
  ...(reply.blocks === undefined ? {} : { blocks: reply.blocks }),
});

/** Bolt's listeners, each turning Slack's payload into a call of the vendor-free front end. */
export function registerListeners(bolt: Bolt, deps: Deps): void {
  const { log } = deps;
  // Another workspace's or app's request is refused here too: over Socket Mode no HTTP route
  // sees it first. It is acknowledged (so Slack does not redeliver) and nothing else.
  const origin = { teamId: deps.app.config.slack.teamId, appId: deps.app.config.slack.appId };
  bolt.use(async (args) => {
    const foreign = foreignOrigin(args.body, origin);
    if (foreign === undefined) return args.next();
    log.warn({ reason: foreign }, 'refused a Slack request for another installation');
    const { ack } = args as { ack?: () => Promise<void> };
    await ack?.();
  });
  // Slack delivers an event again when it thinks the app missed it (an HTTP retry, a Socket
  // Mode retry_attempt): each event is acted on once. Bolt has acknowledged it already.
  bolt.use(async ({ body, next }) => {
    const event = body as { type?: unknown; event_id?: unknown };
    if (
      event.type === 'event_callback' &&
      typeof event.event_id === 'string' &&
      !(await deps.app.store.slackMessages.firstSighting(event.event_id))
    )
      return;
    await next();
  });
  bolt.command('/aidev', async ({ command, ack }) => {
    let acked = false;
    const answer = async (reply?: Reply) => {
      if (acked) return;
      acked = true;
      await ack(reply === undefined ? undefined : (ephemeral(reply) as never));
    };
    const parsed = slashCommand.safeParse(command);
    if (!parsed.success) return answer({ text: 'That command did not look like one Slack sends.' });
    const c = parsed.data;
    if (c.text.includes('\u0000'))
      return answer({
        text: 'That command contains a NUL character (\\0), which aidev cannot take: type it again without it.',
      });
    try {
      await onSlashCommand(
        deps,
        {
          triggerId: c.trigger_id,
          teamId: c.team_id,
          channelId: c.channel_id,
          userId: c.user_id,
          text: c.text,
        },
        answer,
      );
    } catch (error) {
      log.error({ err: error, text: c.text }, '/aidev failed');
      await answer({
        text: 'Something went wrong on aidev’s side; the error is in its log. Try again, or `/aidev status`.',
      });
    }
  });

  const onButton =
    (handler: typeof onPlanButton) =>
    async ({ ack, body }: { ack: () => Promise<void>; body: unknown }) => {
      await ack();
      const parsed = buttonClick.safeParse(body);
      if (!parsed.success)
        return log.warn(
          { issues: parsed.error.issues },
          'ignored a button click without the fields aidev needs',
        );
      const click = parsed.data;
      const action = click.actions[0];
      if (action === undefined) return;
      await handler(deps, {
        userId: click.user.id,
        channelId: click.container.channel_id,
        messageTs: click.container.message_ts,
        blocks: click.message?.blocks ?? [],
        actionId: action.action_id,
        value: action.value,
        triggerId: click.trigger_id,
      }).catch((error: unknown) => log.error({ err: error }, 'a button click failed'));
    };
  bolt.action(PLAN_APPROVE, onButton(onPlanButton));
  bolt.action(PLAN_REJECT, onButton(onPlanButton));
  bolt.action(BUDGET_GRANT, onButton(onBudgetButton));
  bolt.action(BUDGET_RAISE, onButton(onBudgetButton));
  bolt.action(BUDGET_STOP, onButton(onBudgetButton));

  bolt.view(REJECT_MODAL, async ({ ack, body }) => {
    await ack();
    const parsed = rejectSubmission.safeParse(body);
    if (!parsed.success) return;
    const feedback = parsed.data.view.state.values.feedback?.text?.value ?? undefined;
    await onRejectSubmitted(deps, {
      userId: parsed.data.user.id,
      metadata: parsed.data.view.private_metadata,
      feedback: feedback ?? undefined,
    }).catch((error: unknown) => log.error({ err: error }, 'a plan rejection failed'));
  });

  const onEvent =
    (mentioned: boolean) =>
    async ({ event, body }: { event: unknown; body: { team_id?: string } }) => {
      const parsed = channelMessage.safeParse(event);
      if (
        !parsed.success ||
        parsed.data.bot_id !== undefined ||
        (parsed.data.subtype !== undefined && parsed.data.subtype !== 'thread_broadcast')
      )
        return;
      const m = parsed.data;
      if (!mentioned && (m.thread_ts === undefined || /<@[A-Z0-9]+/.test(m.text))) return; // mentions come as app_mention too
      await onMessage(
        deps,
        {
          teamId: body.team_id ?? '',
          channelId: m.channel,
          userId: m.user,
          text: m.text,
          ts: m.ts,
          threadTs: m.thread_ts,
        },
        mentioned,
      ).catch((error: unknown) => log.error({ err: error }, 'a message to aidev failed'));
    };
  bolt.event('app_mention', onEvent(true));
  bolt.event('message', onEvent(false));
  bolt.event('app_home_opened', async ({ event }) => {
    await onHomeOpened(deps, event.user).catch((error: unknown) =>
      log.error({ err: error }, 'the App Home failed'),
    );
  });
}
