import type { App } from '../../../app/create-app.js';
import type { Project } from '../../../store/repositories/projects.js';
import type { Run } from '../../../store/repositories/runs.js';
import { problem } from '../../problem.js';

/** The run, or a 404 problem naming the id. */
export async function runOr404(app: App, id: string): Promise<Run> {
  const run = await app.store.runs.get(id);
  if (run === null) throw problem(404, 'not-found', `there is no run ${JSON.stringify(id)}`);
  return run;
}

/** A project by its id or its key. */
export async function findProject(app: App, idOrKey: string): Promise<Project | null> {
  return (await app.store.projects.get(idOrKey)) ?? (await app.store.projects.getByKey(idOrKey));
}

export async function projectOr404(app: App, idOrKey: string): Promise<Project> {
  const project = await findProject(app, idOrKey);
  if (project === null)
    throw problem(404, 'not-found', `there is no project ${JSON.stringify(idOrKey)}`);
  return project;
}
