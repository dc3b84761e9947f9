import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from now, either way (Slack's own advice: 5 minutes). */
export const MAX_CLOCK_SKEW_S = 5 * 60;

export type SignatureCheck =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks that a request comes from Slack (the v0 signing scheme): HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the signing secret, compared in constant time, and a
 * timestamp within five minutes of now in either direction (Bolt accepts future timestamps;
 * a replayed request with a forged future time must fail too).
 */
export function verifySlackSignature(options: {
  signingSecret: string;
  rawBody: string;
  signature: string | undefined;
  timestamp: string | undefined;
  nowMs?: number;
}): SignatureCheck {
  const { signature, timestamp } = options;
  if (signature === undefined || timestamp === undefined)
    return { ok: false, reason: 'missing x-slack-signature or x-slack-request-timestamp' };
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    return { ok: false, reason: 'the request timestamp is not a number of seconds' };
  const now = Math.floor((options.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - seconds) > MAX_CLOCK_SKEW_S)
    return {
      ok: false,
      reason: `the request timestamp is more than ${MAX_CLOCK_SKEW_S} s away from now`,
    };
  const expected = `v0=${createHmac('sha256', options.signingSecret).update(`v0:${timestamp}:${options.rawBody}`).digest('hex')}`;
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: 'the signature does not match' };
  return { ok: true };
}
