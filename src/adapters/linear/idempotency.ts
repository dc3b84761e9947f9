import { createHash } from 'node:crypto';

/*
 * How a retried step finds what an earlier attempt did in Linear, with nothing kept on aidev's
 * side:
 *
 * - an issue, project or comment aidev creates gets an id of aidev's choosing (Linear's create
 *   inputs take a UUID v4 `id`): a UUID derived from the step's idempotency key, so a retry
 *   looks for that id first and creates only when nothing has it;
 * - a status change is written ahead, before the move, into the metadata of one attachment per
 *   issue (Linear keeps attachments unique by URL per issue and has no hidden issue
 *   properties): a retry reports the original `from`, and moves the issue only if it is still
 *   where it was.
 */

/** The UUID v4-shaped id of what the step with this key creates (`purpose` tells them apart). */
export function idFor(idempotencyKey: string, purpose: string): string {
  const bytes = createHash('sha256').update(`aidev:${purpose}:${idempotencyKey}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Where the status changes are recorded: the URL of aidev's attachment on an issue. */
export const STATUS_RECORD_URL = 'https://aidev.invalid/status-changes';

/** Status changes kept per issue. */
const KEPT_CHANGES = 50;

export interface StatusChange {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** The recorded status changes (whatever shape the metadata has; never throws). */
export function statusChanges(metadata: unknown): StatusChange[] {
  const changes = (metadata as { changes?: unknown } | null | undefined)?.changes;
  if (!Array.isArray(changes)) return [];
  return changes.filter(
    (c): c is StatusChange =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as StatusChange).key === 'string' &&
      typeof (c as StatusChange).from === 'string' &&
      typeof (c as StatusChange).to === 'string',
  );
}

export function withChange(changes: readonly StatusChange[], change: StatusChange) {
  return { changes: [...changes, change].slice(-KEPT_CHANGES) };
}
