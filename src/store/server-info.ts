import type { Queryable } from './database.js';

/** e.g. "PostgreSQL 15.19" or "PostgreSQL 18.6 (PGlite 0.5.14)". */
export async function serverVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>('SELECT version() AS version');
  const full = rows[0]?.version ?? 'unknown';
  const match = /^(PostgreSQL [\d.]+(?: \(PGlite [\d.]+\))?)/.exec(full);
  return match?.[1] ?? full.split(' on ')[0] ?? full;
}
