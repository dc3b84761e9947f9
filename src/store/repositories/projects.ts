import { AppError } from '../../errors/app-error.js';
import type { Queryable } from '../database.js';
import { isUniqueViolation, isUuid } from '../sql.js';

/** A project ties a repository, a tracker project and a docs space together. */
export interface Project {
  readonly id: string;
  /** Short lowercase slug used in commands, e.g. `payments`. */
  readonly key: string;
  readonly name: string;
  readonly description: string;
  readonly repository: string | null;
  readonly trackerProject: string | null;
  readonly docsSpace: string | null;
  readonly status: 'active' | 'archived';
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ProjectFields {
  readonly name?: string;
  readonly description?: string;
  readonly repository?: string | null;
  readonly trackerProject?: string | null;
  readonly docsSpace?: string | null;
  readonly status?: 'active' | 'archived';
}

interface ProjectRow {
  id: string;
  key: string;
  name: string;
  description: string;
  repository: string | null;
  tracker_project: string | null;
  docs_space: string | null;
  status: 'active' | 'archived';
  created_at: Date;
  updated_at: Date;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    description: row.description,
    repository: row.repository,
    trackerProject: row.tracker_project,
    docsSpace: row.docs_space,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function createProjectsRepository(db: Queryable) {
  return {
    async create(project: { key: string; name: string } & ProjectFields): Promise<Project> {
      if (!KEY_PATTERN.test(project.key)) {
        throw new AppError(
          'invalid_input',
          `key: expected lowercase letters, digits and dashes (at most 63, starting with a letter or digit), found ${JSON.stringify(project.key)}`,
        );
      }
      try {
        const { rows } = await db.query<ProjectRow>(
          `INSERT INTO projects (key, name, description, repository, tracker_project, docs_space)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [
            project.key,
            project.name,
            project.description ?? '',
            project.repository ?? null,
            project.trackerProject ?? null,
            project.docsSpace ?? null,
          ],
        );
        const row = rows[0];
        if (row === undefined) throw new Error('project insert returned nothing');
        return toProject(row);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new AppError('conflict', `a project with key "${project.key}" already exists`, {
            cause: error,
          });
        }
        throw error;
      }
    },

    async get(id: string): Promise<Project | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<ProjectRow>('SELECT * FROM projects WHERE id = $1', [id]);
      return rows[0] === undefined ? null : toProject(rows[0]);
    },

    async getByKey(key: string): Promise<Project | null> {
      const { rows } = await db.query<ProjectRow>('SELECT * FROM projects WHERE key = $1', [key]);
      return rows[0] === undefined ? null : toProject(rows[0]);
    },

    async list(status?: 'active' | 'archived'): Promise<Project[]> {
      const { rows } = await db.query<ProjectRow>(
        'SELECT * FROM projects WHERE $1::text IS NULL OR status = $1 ORDER BY key',
        [status ?? null],
      );
      return rows.map(toProject);
    },

    /** Changes only the fields given; null clears an optional field. */
    async update(id: string, fields: ProjectFields): Promise<Project | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<ProjectRow>(
        `UPDATE projects SET
           name = CASE WHEN $2 THEN $3 ELSE name END,
           description = CASE WHEN $4 THEN $5 ELSE description END,
           repository = CASE WHEN $6 THEN $7 ELSE repository END,
           tracker_project = CASE WHEN $8 THEN $9 ELSE tracker_project END,
           docs_space = CASE WHEN $10 THEN $11 ELSE docs_space END,
           status = CASE WHEN $12 THEN $13 ELSE status END,
           updated_at = now()
         WHERE id = $1 RETURNING *`,
        [
          id,
          ...pair(fields.name),
          ...pair(fields.description),
          ...pair(fields.repository),
          ...pair(fields.trackerProject),
          ...pair(fields.docsSpace),
          ...pair(fields.status),
        ],
      );
      return rows[0] === undefined ? null : toProject(rows[0]);
    },

    async remove(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { rowCount } = await db.query('DELETE FROM projects WHERE id = $1', [id]);
      return rowCount > 0;
    },
  };
}

/** [whether the field is being set, its new value]. */
function pair(value: unknown): [boolean, unknown] {
  return [value !== undefined, value ?? null];
}

export type ProjectsRepository = ReturnType<typeof createProjectsRepository>;
