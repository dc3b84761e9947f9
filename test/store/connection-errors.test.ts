import { describe, expect, it } from 'vitest';
import { errorRecord, isRetryable } from '../../src/engine/step-errors.js';
import { DatabaseUnavailableError, isConnectionLoss } from '../../src/store/connection-errors.js';

/** An error as pg raises it: a message, and a SQLSTATE or a socket error code. */
const pgError = (message: string, code?: string) => Object.assign(new Error(message), { code });

describe('a lost database connection', () => {
  it('is told apart from a query’s own errors', () => {
    for (const lost of [
      // The embedded database's serving process killed mid-query (#16), or a server gone.
      pgError('Connection terminated unexpectedly'),
      pgError('Connection terminated due to connection timeout'),
      pgError('timeout exceeded when trying to connect'),
      pgError('Client has encountered a connection error and is not queryable'),
      pgError('read ECONNRESET', 'ECONNRESET'),
      pgError('connect ENOENT /data/.aidev/db.sock', 'ENOENT'),
      pgError('terminating connection due to administrator command', '57P01'),
      pgError('the database system is starting up', '57P03'),
      pgError('connection failure', '08006'),
    ])
      expect(isConnectionLoss(lost), lost.message).toBe(true);
    for (const own of [
      pgError('duplicate key value violates unique constraint "runs_pkey"', '23505'),
      pgError('syntax error at or near "SELEC"', '42601'),
      pgError('could not serialize access due to concurrent update', '40001'),
      pgError('Cannot use a pool after calling end on the pool'),
      new Error('boom'),
      null,
    ])
      expect(isConnectionLoss(own), String(own)).toBe(false);
  });

  it('is reported as a retryable store error naming the database, its cause kept', () => {
    const cause = pgError('Connection terminated unexpectedly');
    const error = new DatabaseUnavailableError('the embedded database in /data/.aidev', cause);
    expect(isRetryable(cause)).toBe(false); // what the step saw before #16
    expect(isRetryable(error)).toBe(true);
    expect(error).toMatchObject({ code: 'database_unavailable', cause });
    expect(isConnectionLoss(error)).toBe(true);
    expect(errorRecord(error)).toMatchObject({
      retryable: true,
      message:
        'lost the connection to the embedded database in /data/.aidev: Connection terminated unexpectedly',
    });
  });
});
