import type { Queryable } from '../database.js';

/** The shared token buckets of outside services, one per site (see migration 0008). */
export function createRateLimitsRepository(db: Queryable) {
  return {
    /**
     * Takes one call's token from `bucket` (a service's site, e.g. `jira acme.atlassian.net`,
     * kept in the `service` column; `ratePerSecond` refill, at most `burst` stored) and says
     * how long to wait before making the call: 0 when a token was there, else the time until
     * the bucket's debt, this call included, is paid back. One statement under the row's lock:
     * processes taking tokens at once are given consecutive turns.
     */
    async take(bucket: string, ratePerSecond: number, burst: number): Promise<number> {
      const { rows } = await db.query<{ tokens: number }>(
        `INSERT INTO rate_limits AS b (service, tokens, updated_at)
         VALUES ($1, $3::float8 - 1, clock_timestamp())
         ON CONFLICT (service) DO UPDATE SET
           tokens = least($3::float8, b.tokens
             + extract(epoch FROM clock_timestamp() - b.updated_at)::float8 * $2::float8) - 1,
           updated_at = clock_timestamp()
         RETURNING tokens`,
        [bucket, ratePerSecond, burst],
      );
      const tokens = rows[0]?.tokens ?? 0;
      return tokens >= 0 ? 0 : Math.ceil((-tokens / ratePerSecond) * 1000);
    },
  };
}
