import { StepError } from '../../engine/step-errors.js';
import { hasStatus, type GitLabClient } from './gitlab-client.js';

/** What aidev needs of a GitLab project, asked once and kept a while. */
export interface ProjectInfo {
  /** The numeric id every other call uses (some endpoints take no path). */
  readonly id: number;
  /** `group/subgroup/name`. */
  readonly path: string;
  readonly defaultBranch: string;
  readonly webUrl: string;
  /** The https clone URL, as the instance says it (it knows its relative URL root). */
  readonly httpUrlToRepo: string;
  readonly visibility: string;
  readonly description: string;
}

const PROJECT_TTL_MS = 5 * 60_000;

/**
 * GitLab projects by the name steps give (`group/sub/name`, or `name` with the `owner`
 * setting): `GET /projects/:path` once per five minutes — a default branch rarely changes, and
 * the numeric id never does.
 */
export function gitlabProjects(
  client: GitLabClient,
  owner: string | undefined,
  now: () => number = Date.now,
) {
  const known = new Map<string, { info: Promise<ProjectInfo>; until: number }>();

  function pathOf(name: string): string {
    const path = name.replace(/\.git$/, '').replace(/^\/+|\/+$/g, '');
    const parts = path.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..'))
      throw new StepError(`repository ${JSON.stringify(name)}: expected group/name`, {
        code: 'invalid_input',
      });
    if (parts.length >= 2) return path;
    if (owner !== undefined) return `${owner}/${path}`;
    throw new StepError(
      `repository ${JSON.stringify(name)}: expected group/name (or set the gitlab plugin's owner setting)`,
      { code: 'invalid_input' },
    );
  }

  async function fetchProject(path: string): Promise<ProjectInfo> {
    try {
      const data = await client.Projects.show(path);
      return {
        id: data.id,
        path: data.path_with_namespace,
        defaultBranch: data.default_branch,
        webUrl: data.web_url,
        httpUrlToRepo: data.http_url_to_repo,
        visibility: String(data.visibility ?? ''),
        description: typeof data.description === 'string' ? data.description : '',
      };
    } catch (error) {
      if (hasStatus(error, 404))
        throw new StepError(`no GitLab project ${path} (or the token cannot see it)`, {
          code: 'not_found',
          cause: error,
        });
      throw error;
    }
  }

  return {
    pathOf,
    /** The project a step names; `fresh` asks GitLab again (repository info). */
    project(name: string, fresh = false): Promise<ProjectInfo> {
      const path = pathOf(name);
      const key = path.toLowerCase();
      const cached = known.get(key);
      if (!fresh && cached !== undefined && cached.until > now()) return cached.info;
      const info = fetchProject(path);
      known.set(key, { info, until: now() + PROJECT_TTL_MS });
      info.catch(() => known.delete(key));
      return info;
    },
  };
}

export type GitLabProjects = ReturnType<typeof gitlabProjects>;
