import type { Run } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';

/**
 * Who asks to act on a run or a channel. Every front end names its caller as one of these and
 * asks `authorizeRun` / `authorizeSettings`; nothing else decides who may do what.
 */
export type Actor =
  /** A person in the chat workspace (a Slack user id). Admin: workspace admin or owner, or named by the installer. */
  | { readonly kind: 'person'; readonly id: string; readonly isAdmin: () => Promise<boolean> }
  /** An API token: its role decides (viewers read, operators and admins act). */
  | { readonly kind: 'token'; readonly role: 'viewer' | 'operator' | 'admin'; readonly by: string }
  /** The command line: whoever runs it holds the database, so it acts as an admin would. */
  | { readonly kind: 'operator'; readonly by: string };

/**
 * `view`: see the run; `cancel`: stop it; `decide`: approve or reject a plan, stop at a budget
 * pause, grant more to a run paused at its own budget; `fund`: grant or raise money at a budget
 * pause, which past a monthly budget is a decision about that budget (its owners').
 */
export type RunAction = 'view' | 'cancel' | 'decide' | 'fund';

export type RunAuthorization =
  | { readonly ok: true; readonly run: Run }
  /** No such run, or not one of the channel the request came from: never say which. */
  | { readonly ok: false; readonly reason: 'not_found' }
  /** Refused: `who` are the people who may (user ids), `message` says so in plain words. */
  | {
      readonly ok: false;
      readonly reason: 'forbidden';
      readonly who: readonly string[];
      readonly message: string;
    };

/**
 * The one rule for acting on a run.
 * - A person acts only on runs of the channel they speak in (`channelId`); elsewhere the run
 *   does not exist for them. In it, anyone there may view; cancelling is for whoever started
 *   the run, the channel's approvers and workspace admins; deciding is for the approvers the
 *   waiting step names (by default whoever started the run), the channel's approvers and
 *   workspace admins. Nobody named: only admins. Funding a run paused at its own budget is
 *   deciding; past the channel's monthly budget it is for whoever may change the channel's
 *   settings (its approvers, admins), past a user's or the global budget for admins.
 * - An API token: any role may view; operators and admins may cancel and decide; funding past
 *   a monthly budget takes an admin token, as changing settings does.
 * - The command line may do everything.
 */
export async function authorizeRun(
  store: Store,
  request: {
    readonly actor: Actor;
    readonly runId: string;
    readonly action: RunAction;
    /** Where a person asks from: a run of another channel is not found. */
    readonly channelId?: string;
  },
): Promise<RunAuthorization> {
  const { actor, action } = request;
  const run = await store.runs.get(request.runId);
  if (run === null) return { ok: false, reason: 'not_found' };
  if (request.channelId !== undefined && run.channelId !== request.channelId)
    return { ok: false, reason: 'not_found' };
  if (actor.kind === 'operator') return { ok: true, run };
  // Money past a monthly budget is that budget's owners' to give (settings, not the run).
  const monthly = action === 'fund' ? await monthlyPause(store, run) : undefined;
  if (monthly !== undefined) return authorizeMonthly(store, actor, run, monthly);
  switch (actor.kind) {
    case 'token':
      return action === 'view' || actor.role !== 'viewer'
        ? { ok: true, run }
        : forbidden([], `a ${actor.role} token may not ${action} a run; an operator token may`);
    case 'person': {
      if (action === 'view') return { ok: true, run };
      const named = [
        ...(action === 'cancel'
          ? run.userId === null
            ? []
            : [run.userId]
          : await waitingApprovers(store, run)),
        ...(await channelApprovers(store, run.channelId)),
      ];
      const who = [...new Set(named)];
      if (who.includes(actor.id) || (await actor.isAdmin())) return { ok: true, run };
      return forbidden(who, refusal(who, action));
    }
  }
}

/**
 * The one rule for changing a channel's settings: its approvers and workspace admins, and
 * nobody else — a channel without approvers is changed by admins only, so that its first
 * member cannot set the setup command, model, budgets or approvers for everyone.
 */
export async function authorizeSettings(
  actor: Actor,
  approvers: readonly string[],
): Promise<{ readonly ok: true } | { readonly ok: false; readonly message: string }> {
  if (actor.kind === 'operator') return { ok: true };
  if (actor.kind === 'token')
    return actor.role === 'admin'
      ? { ok: true }
      : { ok: false, message: 'only an admin token may change a channel’s settings' };
  if (approvers.includes(actor.id) || (await actor.isAdmin())) return { ok: true };
  return {
    ok: false,
    message:
      approvers.length === 0
        ? 'This channel has no approvers yet, so only a workspace admin may change its settings (an admin can name approvers with `/aidev config set approvers=@someone`).'
        : `Only this channel’s approvers (${approvers.map(mention).join(', ')}) or a workspace admin may change its settings.`,
  };
}

const mention = (id: string) => `<@${id}>`;

/** The monthly budget (channel, user or global) the run is paused at, if it is. */
async function monthlyPause(
  store: Store,
  run: Run,
): Promise<{ scope: 'channel' | 'user' | 'global'; scopeId: string } | undefined> {
  for (const step of await store.steps.listForRun(run.id)) {
    const record = step.inputs as { pause?: unknown; scope?: unknown; scope_id?: unknown } | null;
    if (step.status !== 'waiting' || record?.pause !== 'budget') continue;
    const { scope, scope_id: scopeId } = record;
    if (
      (scope === 'channel' || scope === 'user' || scope === 'global') &&
      typeof scopeId === 'string'
    )
      return { scope, scopeId };
  }
  return undefined;
}

async function authorizeMonthly(
  store: Store,
  actor: Exclude<Actor, { kind: 'operator' }>,
  run: Run,
  budget: { scope: 'channel' | 'user' | 'global'; scopeId: string },
): Promise<RunAuthorization> {
  const what =
    budget.scope === 'channel'
      ? 'the channel’s monthly budget'
      : budget.scope === 'user'
        ? 'a user’s monthly budget'
        : 'the global monthly budget';
  if (actor.kind === 'token')
    return actor.role === 'admin'
      ? { ok: true, run }
      : forbidden([], `spending past ${what} takes an admin token`);
  // The channel's budget is one of its settings: the one rule for those decides.
  const approvers = budget.scope === 'channel' ? await channelApprovers(store, budget.scopeId) : [];
  const settings = await authorizeSettings(actor, approvers);
  if (settings.ok) return { ok: true, run };
  const people = approvers.length === 0 ? '' : `${approvers.map(mention).join(', ')} or `;
  return forbidden(approvers, `Only ${people}a workspace admin may spend past ${what}.`);
}

function refusal(who: readonly string[], action: 'cancel' | 'decide' | 'fund'): string {
  const people = who.length === 0 ? '' : `${who.map(mention).join(', ')} or `;
  return action === 'cancel'
    ? `Only ${people}a workspace admin may cancel this run.`
    : `Only ${people}a workspace admin may decide on this run.`;
}

function forbidden(who: readonly string[], message: string): RunAuthorization {
  return { ok: false, reason: 'forbidden', who, message };
}

/** The approvers named by the step the run waits at (an approval gate or a budget pause). */
async function waitingApprovers(store: Store, run: Run): Promise<string[]> {
  const waiting = (await store.steps.listForRun(run.id)).filter((s) => s.status === 'waiting');
  const named = waiting.flatMap((s) => {
    const approvers = (s.inputs as { approvers?: unknown } | null)?.approvers;
    return Array.isArray(approvers)
      ? approvers.filter((a): a is string => typeof a === 'string')
      : [];
  });
  return waiting.length > 0 ? named : run.userId === null ? [] : [run.userId];
}

async function channelApprovers(store: Store, channelId: string | null): Promise<string[]> {
  if (channelId === null) return [];
  const approvers = (await store.channels.get(channelId))?.settings.approvers;
  return Array.isArray(approvers)
    ? approvers.filter((a): a is string => typeof a === 'string')
    : [];
}
