import type { Database } from '../../../src/store/database.js';

/** Every row of every table of the database, as text: for scans that nothing secret is stored. */
export async function tableDump(db: Database): Promise<{ text: string; rows: number }> {
  const { rows: tables } = await db.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const parts: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
    parts.push(...rows.map((r) => `${name}: ${r.row}`));
  }
  return { text: parts.join('\n'), rows: parts.length };
}
