import { StepError } from '../../engine/step-errors.js';
import { logExcerpt } from '../../plugins/log-excerpt.js';
import type { PluginActions } from '../../plugins/plugin.js';
import { hasStatus, saidIn, type GitLabClient } from './gitlab-client.js';
import type { GitLabProjects } from './gitlab-projects.js';

type Actions = PluginActions['version_control'];

/** GitLab's failure reason for a job stopped by its time limit. */
const TIMED_OUT = new Set(['job_execution_timeout', 'stuck_or_timeout_failure']);

/**
 * The failed checks of a commit or branch tip on GitLab. A commit's statuses list both its
 * pipelines' jobs and external CI's statuses (the latest of each name); a failed one that is a
 * job (`GET /jobs/:id` knows it) comes with its log (`/jobs/:id/trace`), an external one with
 * its description. Jobs allowed to fail are not failures.
 */
export function failingChecksAction(deps: {
  readonly client: GitLabClient;
  readonly projects: GitLabProjects;
}): Pick<Actions, 'get_failing_checks'> {
  const { client, projects } = deps;
  return {
    async get_failing_checks(input) {
      const project = await projects.project(input.repository);
      const commit = await client.Commits.show(project.id, input.ref).catch((error: unknown) => {
        if (hasStatus(error, 404))
          throw new StepError(`no commit or branch ${input.ref} in ${project.path}`, {
            code: 'not_found',
            cause: error,
          });
        throw error;
      });
      const statuses = await client.Commits.allStatuses(project.id, commit.id);
      const checks = [];
      for (const status of statuses.filter((s) => s.status === 'failed' && !s.allow_failure)) {
        const job = await client.Jobs.show(project.id, status.id).catch((error: unknown) => {
          // An external CI's status is no job of this project.
          if (hasStatus(error, 404)) return undefined;
          throw error;
        });
        if (job === undefined) {
          checks.push({
            name: status.name,
            conclusion: 'failure',
            url: status.target_url ?? '',
            log_excerpt: logExcerpt(status.description ?? ''),
          });
          continue;
        }
        let log: string;
        try {
          log = String(await client.Jobs.showLog(project.id, job.id));
        } catch (error) {
          // Logs are erased with their job or expire: say so, with what GitLab said.
          if (!hasStatus(error, 403, 404, 410)) throw error;
          log = `(the job's log is not available: ${saidIn(error)})`;
        }
        checks.push({
          name: status.name,
          conclusion: TIMED_OUT.has(String(job.failure_reason ?? '')) ? 'timed_out' : 'failure',
          url: String(job.web_url ?? status.target_url ?? ''),
          log_excerpt: logExcerpt(log),
        });
      }
      return { checks };
    },
  };
}
