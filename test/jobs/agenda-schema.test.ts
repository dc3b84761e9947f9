import { readFileSync } from 'node:fs';
import { getCreateIndexesSQL, getCreateTableSQL } from '@agendajs/postgres-backend';
import { describe, expect, it } from 'vitest';

/** Whitespace and comments do not matter; everything else does. */
function normalize(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),;])\s*/g, '$1')
    .trim();
}

describe('the job table migration', () => {
  it('creates exactly the table and indexes the installed Agenda PostgreSQL backend expects', () => {
    const migration = readFileSync(
      new URL('../../src/store/migrations/0002_agenda_jobs.sql', import.meta.url),
      'utf8',
    );
    const expected = [getCreateTableSQL('agenda_jobs'), ...getCreateIndexesSQL('agenda_jobs')]
      .map((s) => `${s.trim().replace(/;$/, '')};`)
      .join('\n');
    expect(normalize(migration)).toBe(normalize(expected));
  });
});
