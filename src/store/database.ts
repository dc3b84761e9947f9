import pg from 'pg';
import type { Logger } from '../log/create-logger.js';
import { DatabaseUnavailableError, isConnectionLoss } from './connection-errors.js';

export type DatabaseKind = 'postgres' | 'embedded';
export type Row = Record<string, unknown>;

export interface QueryOutcome<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface Queryable {
  query<R extends object = Row>(sql: string, params?: readonly unknown[]): Promise<QueryOutcome<R>>;
}

/**
 * The one handle to the system of record. Both the embedded database and PostgreSQL are
 * reached through `pg`, so every query takes the same code path.
 */
export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /** Where the data lives, without credentials: safe to print. */
  describe(): string;
  /**
   * Runs `fn` in a transaction. Keep it to SQL: on the embedded database an open transaction
   * blocks every other connection, so never await network or disk I/O inside.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** The pool, for libraries that take one (the job queue). */
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

const INT8_OID = 20;

/** int8 (counts, identity keys) as numbers; values beyond 2^53 would lose precision, so refuse them. */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n))
    throw new Error(`int8 value ${value} does not fit a JavaScript number`);
  return n;
}

function getTypeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID && format !== 'binary') return parseInt8;
  return pg.types.getTypeParser(oid, 'text') as (value: string) => unknown;
}

export const poolTypes = { getTypeParser } as pg.CustomTypesConfig;

export interface CreateDatabaseOptions {
  readonly kind: DatabaseKind;
  readonly pool: pg.Pool;
  readonly describe: () => string;
  readonly logger: Logger;
  /** Releases what backs the pool (the embedded server, a lock); runs after the pool ends. */
  readonly onClose?: () => Promise<void>;
}

export function createDatabase(options: CreateDatabaseOptions): Database {
  const { pool, logger } = options;
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) =>
    logger.warn({ err: error }, 'database connection lost; it will be replaced'),
  );
  let closed: Promise<void> | undefined;

  // A lost connection says so in one retryable error, whoever asked (#16); the query's own
  // errors (a constraint, a syntax error) go through as pg raised them.
  const classify = (error: unknown): unknown =>
    isConnectionLoss(error) && !(error instanceof DatabaseUnavailableError)
      ? new DatabaseUnavailableError(options.describe(), error)
      : error;

  async function run<R extends object>(
    target: pg.Pool | pg.PoolClient,
    sql: string,
    params?: readonly unknown[],
  ): Promise<QueryOutcome<R>> {
    let result;
    try {
      result = await target.query(sql, params as unknown[] | undefined);
    } catch (error) {
      throw classify(error);
    }
    // Row shapes are declared by each repository next to the SQL that produces them.
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  return {
    kind: options.kind,
    pool,
    describe: options.describe,
    query: (sql, params) => run(pool, sql, params),
    async transaction(fn) {
      const client = await pool.connect().catch((error: unknown) => {
        throw classify(error);
      });
      // The pool listens for errors of idle clients only: a checked-out client whose connection
      // dies would emit 'error' to no one and crash the process. Its query fails with the error
      // (a DatabaseUnavailableError) and the pool drops the client when it is released.
      const onLost = (error: Error) =>
        logger.warn({ err: error }, 'database connection lost during a transaction');
      client.on('error', onLost);
      try {
        await run(client, 'BEGIN');
        const result = await fn({ query: (sql, params) => run(client, sql, params) });
        await run(client, 'COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.off('error', onLost);
        client.release();
      }
    },
    close() {
      closed ??= (async () => {
        await pool.end();
        await options.onClose?.();
      })();
      return closed;
    },
  };
}
