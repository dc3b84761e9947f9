import type { Run } from '../store/repositories/runs.js';
import type { Store } from '../store/store.js';
import type { JsonObject } from '../store/sql.js';
import {
  classifyJiraEvent,
  classifyLinearEvent,
  type TrackerSource,
  type TriggerOptions,
} from './classify-tracker-event.js';

/**
 * What the tracker delivery that started a run said: who asked, and the issue as it was then.
 * A run started from a tracker carries `<source>:<delivery id>` as its idempotency key, and
 * the delivery is kept, so nothing more needs storing to answer "who started this".
 */
export interface RunOrigin {
  readonly source: TrackerSource;
  readonly payload: JsonObject;
}

export async function originOf(store: Store, run: Run): Promise<RunOrigin | null> {
  if (run.trigger !== 'tracker' || run.idempotencyKey === null) return null;
  const at = run.idempotencyKey.indexOf(':');
  const source = run.idempotencyKey.slice(0, at);
  if (at < 0 || (source !== 'jira' && source !== 'linear')) return null;
  const delivery = await store.webhookDeliveries.get(source, run.idempotencyKey.slice(at + 1));
  return delivery === null ? null : { source, payload: delivery.payload };
}

/** The tracker account of the person whose change started the run ('' if none is named). */
export function starterOf(origin: RunOrigin, settings: TriggerOptions): string {
  const signal =
    origin.source === 'jira'
      ? classifyJiraEvent(origin.payload, settings)
      : classifyLinearEvent(origin.payload, settings);
  return signal.kind === 'start' ? signal.account : '';
}

/**
 * Whether a Linear label removal took off the trigger label: Linear names the removed ids
 * only, so the label's id is read from the delivery that started the run (the labels
 * then, with names and ids). A run the label did not start is not stopped by a label removal.
 */
export function tookTriggerLabel(
  origin: RunOrigin,
  label: string,
  removedLabelIds: readonly string[],
): boolean {
  if (origin.source !== 'linear') return false;
  const data = origin.payload.data;
  const labels =
    typeof data === 'object' && data !== null && !Array.isArray(data) ? data.labels : [];
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return (Array.isArray(labels) ? labels : []).some(
    (l) =>
      typeof l === 'object' &&
      l !== null &&
      !Array.isArray(l) &&
      text(l.name).toLowerCase() === label.toLowerCase() &&
      removedLabelIds.includes(text(l.id)),
  );
}
