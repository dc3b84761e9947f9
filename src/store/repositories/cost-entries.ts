import type { Queryable } from '../database.js';
import { monthRange, type Month } from '../month.js';
import { assertUsd, clampLimit, isUuid, type Usd } from '../sql.js';

export interface CostEntry {
  readonly id: string;
  readonly runId: string | null;
  readonly stepName: string | null;
  readonly channelId: string | null;
  readonly userId: string | null;
  readonly provider: string;
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Five-minute cache writes. */
  readonly cacheWriteTokens: number;
  /** One-hour cache writes (billed at twice the input price). */
  readonly cacheWrite1hTokens: number;
  readonly cacheReadTokens: number;
  readonly usd: Usd;
  readonly idempotencyKey: string | null;
  readonly createdAt: Date;
}

export type NewCostEntry = Omit<
  CostEntry,
  | 'id'
  | 'createdAt'
  | 'runId'
  | 'stepName'
  | 'channelId'
  | 'userId'
  | 'idempotencyKey'
  | 'cacheWrite1hTokens'
> & {
  readonly cacheWrite1hTokens?: number;
  readonly runId?: string;
  readonly stepName?: string;
  readonly channelId?: string;
  readonly userId?: string;
  /** Recording the same provider call twice (a retried write) keeps one entry. */
  readonly idempotencyKey?: string;
  /** For imports and tests; defaults to now. */
  readonly createdAt?: Date;
};

export const COST_GROUPS = ['channel', 'user', 'run', 'model'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];

/** Column per group: a fixed list, never interpolated from input. */
const GROUP_COLUMN: Record<CostGroup, string> = {
  channel: 'channel_id',
  user: 'user_id',
  run: 'run_id::text',
  model: 'model',
};

export interface CostLine {
  readonly key: string | null;
  readonly usd: Usd;
  readonly calls: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheWriteTokens: number;
  readonly cacheReadTokens: number;
}

export interface CostScope {
  readonly channelId?: string;
  readonly userId?: string;
}

interface CostRow {
  id: string;
  run_id: string | null;
  step_name: string | null;
  channel_id: string | null;
  user_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_write_tokens: number;
  cache_write_1h_tokens: number;
  cache_read_tokens: number;
  usd: string;
  idempotency_key: string | null;
  created_at: Date;
}

function toEntry(row: CostRow): CostEntry {
  return {
    id: row.id,
    runId: row.run_id,
    stepName: row.step_name,
    channelId: row.channel_id,
    userId: row.user_id,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    cacheWrite1hTokens: row.cache_write_1h_tokens,
    cacheReadTokens: row.cache_read_tokens,
    usd: row.usd,
    idempotencyKey: row.idempotency_key,
    createdAt: row.created_at,
  };
}

function scopeFilter(scope: CostScope, params: unknown[]): string {
  const where: string[] = [];
  if (scope.channelId !== undefined) {
    params.push(scope.channelId);
    where.push(`channel_id = $${params.length}`);
  }
  if (scope.userId !== undefined) {
    params.push(scope.userId);
    where.push(`user_id = $${params.length}`);
  }
  return where.map((w) => ` AND ${w}`).join('');
}

export function createCostEntriesRepository(db: Queryable) {
  return {
    async record(entry: NewCostEntry): Promise<{ entry: CostEntry; created: boolean }> {
      const usd = assertUsd(entry.usd, 'usd');
      const { rows } = await db.query<CostRow>(
        `INSERT INTO cost_entries (run_id, step_name, channel_id, user_id, provider, model, input_tokens,
           output_tokens, cache_write_tokens, cache_read_tokens, usd, idempotency_key, created_at,
           cache_write_1h_tokens)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, now()), $14)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
        [
          entry.runId ?? null,
          entry.stepName ?? null,
          entry.channelId ?? null,
          entry.userId ?? null,
          entry.provider,
          entry.model,
          entry.inputTokens,
          entry.outputTokens,
          entry.cacheWriteTokens,
          entry.cacheReadTokens,
          usd,
          entry.idempotencyKey ?? null,
          entry.createdAt ?? null,
          entry.cacheWrite1hTokens ?? 0,
        ],
      );
      if (rows[0] !== undefined) return { entry: toEntry(rows[0]), created: true };
      const existing = await db.query<CostRow>(
        'SELECT * FROM cost_entries WHERE idempotency_key = $1',
        [entry.idempotencyKey],
      );
      if (existing.rows[0] === undefined)
        throw new Error('cost entry insert conflicted but no entry holds its key');
      return { entry: toEntry(existing.rows[0]), created: false };
    },

    async listForRun(runId: string): Promise<CostEntry[]> {
      if (!isUuid(runId)) return [];
      const { rows } = await db.query<CostRow>(
        'SELECT * FROM cost_entries WHERE run_id = $1 ORDER BY created_at, id',
        [runId],
      );
      return rows.map(toEntry);
    },

    async totalForRun(runId: string): Promise<Usd> {
      if (!isUuid(runId)) return '0.0000000000';
      const { rows } = await db.query<{ usd: string }>(
        'SELECT COALESCE(sum(usd), 0)::numeric(20, 10) AS usd FROM cost_entries WHERE run_id = $1',
        [runId],
      );
      return rows[0]?.usd ?? '0.0000000000';
    },

    /** Spend in a UTC month, optionally for one channel and/or user. */
    async spend(month: Month, scope: CostScope = {}): Promise<Usd> {
      const { start, end } = monthRange(month);
      const params: unknown[] = [start, end];
      const filter = scopeFilter(scope, params);
      const { rows } = await db.query<{ usd: string }>(
        `SELECT COALESCE(sum(usd), 0)::numeric(20, 10) AS usd FROM cost_entries
         WHERE created_at >= $1 AND created_at < $2${filter}`,
        params,
      );
      return rows[0]?.usd ?? '0.0000000000';
    },

    /** Every model's tokens and dollars since the beginning, for metrics. */
    async totalsByModel(): Promise<(Omit<CostLine, 'key'> & { model: string })[]> {
      const { rows } = await db.query<SumsRow & { model: string }>(
        `SELECT model, ${SUMS} FROM cost_entries GROUP BY model ORDER BY model`,
      );
      return rows.map((row) => ({ model: row.model, ...sumsOf(row) }));
    },

    /** The month's spend grouped by channel, user, run or model, largest first. */
    async report(
      options: { month: Month; groupBy: CostGroup; limit?: number } & CostScope,
    ): Promise<CostLine[]> {
      const { start, end } = monthRange(options.month);
      const params: unknown[] = [start, end];
      const filter = scopeFilter(options, params);
      params.push(clampLimit(options.limit, 100, 1_000));
      const column = GROUP_COLUMN[options.groupBy];
      const { rows } = await db.query<SumsRow & { key: string | null }>(
        `SELECT ${column} AS key, ${SUMS}
         FROM cost_entries WHERE created_at >= $1 AND created_at < $2${filter}
         GROUP BY 1 ORDER BY sum(usd) DESC, 1 LIMIT $${params.length}`,
        params,
      );
      return rows.map((row) => ({ key: row.key, ...sumsOf(row) }));
    },
  };
}

/** What a group of cost entries adds up to: the columns SUMS selects. */
interface SumsRow {
  usd: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_tokens: number;
  cache_read_tokens: number;
}

const SUMS = `sum(usd)::numeric(20, 10) AS usd, count(*) AS calls,
  sum(input_tokens)::int8 AS input_tokens, sum(output_tokens)::int8 AS output_tokens,
  sum(cache_write_tokens + cache_write_1h_tokens)::int8 AS cache_write_tokens,
  sum(cache_read_tokens)::int8 AS cache_read_tokens`;

function sumsOf(row: SumsRow): Omit<CostLine, 'key'> {
  return {
    usd: row.usd,
    calls: row.calls,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    cacheReadTokens: row.cache_read_tokens,
  };
}

export type CostEntriesRepository = ReturnType<typeof createCostEntriesRepository>;
