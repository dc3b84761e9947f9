import type { Engine } from '../engine/engine.js';
import type { Problem } from '../errors/problem.js';
import type { JsonObject } from '../store/sql.js';
import type { Store } from '../store/store.js';
import { CHANNEL_SETTING_KEYS, checkSettings, type ChannelSettings } from './channel-settings.js';

export type SettingsChange =
  | {
      readonly ok: true;
      readonly before: ChannelSettings;
      readonly after: ChannelSettings;
      readonly resumedRuns: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * Changes a channel's defaults: sets and unsets keys, checks the result as a whole, and writes
 * it only if nobody changed it in between. The monthly budget is kept as the channel's budget
 * (raising it lets the runs it paused go on), and every change goes to the audit log with who
 * made it and the settings before and after. Who may change them is the caller's to check.
 */
export async function updateChannelSettings(
  deps: { readonly store: Store; readonly engine: Pick<Engine, 'resumePausedBy'> },
  channelId: string,
  change: { readonly set?: Readonly<Record<string, unknown>>; readonly unset?: readonly string[] },
  actor: string,
): Promise<SettingsChange> {
  const current = await deps.store.channels.get(channelId);
  const before = (current?.settings ?? {}) as ChannelSettings;
  const problems: Problem[] = (change.unset ?? [])
    .filter((key) => !(CHANNEL_SETTING_KEYS as string[]).includes(key))
    .map((key) => ({
      path: key,
      message: `unknown key; the keys are ${CHANNEL_SETTING_KEYS.join(', ')}`,
    }));
  const merged: Record<string, unknown> = { ...before, ...change.set };
  for (const key of change.unset ?? []) delete merged[key];
  const checked = checkSettings(merged);
  if (!checked.ok) problems.push(...checked.problems);
  if (problems.length > 0 || !checked.ok) return { ok: false, problems };
  const after = checked.settings;
  await deps.store.transaction(async (tx) => {
    await tx.channels.put(channelId, after as JsonObject, {
      updatedBy: actor,
      expectedVersion: current?.version ?? 0,
    });
    if (after.budget_monthly !== before.budget_monthly) {
      if (after.budget_monthly === undefined) await tx.budgets.remove('channel', channelId);
      else
        await tx.budgets.set({
          scope: 'channel',
          scopeId: channelId,
          limitUsd: after.budget_monthly,
          updatedBy: actor,
        });
    }
    await tx.audit.append({
      actor,
      action: 'channel.settings.update',
      targetType: 'channel',
      targetId: channelId,
      before: before as JsonObject,
      after: after as JsonObject,
    });
  });
  const raised =
    after.budget_monthly !== undefined &&
    (before.budget_monthly === undefined ||
      Number(after.budget_monthly) > Number(before.budget_monthly));
  const resumedRuns = raised ? await deps.engine.resumePausedBy('channel', channelId, actor) : [];
  return { ok: true, before, after, resumedRuns };
}
