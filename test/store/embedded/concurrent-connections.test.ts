import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log/create-logger.js';
import type { EmbeddedDatabase } from '../../../src/store/embedded/open-embedded.js';
import { openEmbedded } from '../../../src/store/embedded/open-embedded.js';
import { createPgliteDataDir } from '../../support/backends.js';

describe('concurrent connections to the embedded database', () => {
  let db: EmbeddedDatabase;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await createPgliteDataDir();
    db = await openEmbedded({
      dataDir,
      poolSize: 8,
      connectTimeoutMs: 10_000,
      logger: silentLogger(),
    });
    await db.query('CREATE TABLE probe (id serial PRIMARY KEY, a int, b text)');
  });
  afterAll(async () => db.close());

  it('never mixes one connection’s parameterized statements with another’s, around transactions', async () => {
    const problems: string[] = [];
    const worker = async (w: number) => {
      for (let i = 0; i < 150; i++) {
        try {
          if (w % 4 === 3) {
            await db.transaction(async (tx) => {
              await tx.query('UPDATE probe SET b = b WHERE id = $1', [1]);
              const { rows } = await tx.query<{ d: number }>('SELECT $1::int * 2 AS d', [i]);
              if (rows[0]?.d !== i * 2) problems.push(`tx ${w}/${i}: ${JSON.stringify(rows)}`);
            });
          } else if (w % 2 === 0) {
            const { rows } = await db.query<{ a: number; b: string }>(
              'INSERT INTO probe (a, b) VALUES ($1, $2) RETURNING a, b',
              [i, `w${w}`],
            );
            if (rows[0]?.a !== i || rows[0].b !== `w${w}`)
              problems.push(`insert ${w}/${i}: ${JSON.stringify(rows)}`);
          } else {
            const { rows } = await db.query<{ s: number }>(
              'SELECT $1::int + $2::int + $3::int AS s',
              [i, 1, 2],
            );
            if (rows[0]?.s !== i + 3) problems.push(`select ${w}/${i}: ${JSON.stringify(rows)}`);
          }
        } catch (error) {
          problems.push(`${w}/${i}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
    expect(problems).toEqual([]);
  });

  it('rolls back the transaction of a connection that goes away, and serves the others', async () => {
    const client = new pg.Client({
      host: dataDir,
      port: 5432,
      user: 'postgres',
      database: 'postgres',
    });
    const lost = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    await client.query('BEGIN');
    await client.query("INSERT INTO probe (a, b) VALUES (-1, 'abandoned')");
    const query = client.query('SELECT pg_sleep(0)');
    client.connection.stream.destroy();
    await query.catch(() => undefined);
    expect((await lost).message).toBe('Connection terminated unexpectedly');
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*) AS n FROM probe WHERE b = 'abandoned'",
    );
    expect(rows[0]?.n).toBe(0);
  });
});
