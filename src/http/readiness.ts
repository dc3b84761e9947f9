import type { App } from '../app/create-app.js';

export interface ReadinessPart {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Whether this process can do its work: the database answers, the job queue can be read, and
 * each plugin is healthy. A failing part is named, so that a 503 says what is wrong.
 */
export async function readiness(app: App): Promise<ReadinessPart[]> {
  const parts: ReadinessPart[] = [];
  const started = performance.now();
  try {
    await app.store.db.query('SELECT 1');
    parts.push({
      name: 'database',
      ok: true,
      detail: `${app.store.db.describe()}, ${Math.round(performance.now() - started)} ms`,
    });
  } catch (error) {
    parts.push({ name: 'database', ok: false, detail: (error as Error).message });
  }
  try {
    const stats = await app.jobs.stats();
    parts.push({
      name: 'jobs',
      ok: true,
      detail: `${stats.queued} queued, ${stats.running} running`,
    });
  } catch (error) {
    parts.push({ name: 'jobs', ok: false, detail: (error as Error).message });
  }
  for (const plugin of await app.plugins.health())
    parts.push({
      name: `plugin ${plugin.type}/${plugin.name}${plugin.scope === '*' ? '' : ` (${plugin.scope})`}`,
      ok: plugin.ok,
      detail: plugin.detail,
    });
  return parts;
}
