import type { RepositoryPermission } from '../../plugins/interfaces/version-control.js';
import { hasStatus, type GitLabClient } from './gitlab-client.js';

/**
 * GitLab's roles as aidev's permission names: Owner → admin, Maintainer → maintain,
 * Developer → write (may push and be asked for changes), Reporter and Planner → triage,
 * Guest → read, Minimal access or no membership → none.
 */
export function permissionOf(accessLevel: number): RepositoryPermission {
  if (accessLevel >= 50) return 'admin';
  if (accessLevel >= 40) return 'maintain';
  if (accessLevel >= 30) return 'write';
  if (accessLevel >= 15) return 'triage';
  if (accessLevel >= 10) return 'read';
  return 'none';
}

/**
 * A user's access level on a project, memberships inherited from its groups included
 * (`GET /projects/:id/members/all/:user_id`); 0 when they are no member.
 */
export async function accessLevelOf(
  client: GitLabClient,
  projectId: number,
  userId: number,
): Promise<number> {
  try {
    const member = await client.ProjectMembers.show(projectId, userId, { includeInherited: true });
    return Number(member.access_level ?? 0);
  } catch (error) {
    if (hasStatus(error, 404)) return 0;
    throw error;
  }
}
