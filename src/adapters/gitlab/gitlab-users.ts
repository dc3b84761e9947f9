import type { GitLabClient } from './gitlab-client.js';

const USER_TTL_MS = 10 * 60_000;

/**
 * GitLab user ids by username (`GET /users?username=`), remembered ten minutes: reviewers are
 * set by id, membership is looked up by id, and people are named by username.
 */
export function gitlabUsers(client: GitLabClient, now: () => number = Date.now) {
  const known = new Map<string, { id: Promise<number | undefined>; until: number }>();
  return {
    idOf(username: string): Promise<number | undefined> {
      const key = username.toLowerCase();
      const cached = known.get(key);
      if (cached !== undefined && cached.until > now()) return cached.id;
      const id = client.Users.all({ username }).then(
        (users) => users.find((u) => u.username.toLowerCase() === key)?.id,
      );
      known.set(key, { id, until: now() + USER_TTL_MS });
      id.catch(() => known.delete(key));
      return id;
    },
  };
}

export type GitLabUsers = ReturnType<typeof gitlabUsers>;
