import { z } from 'zod';

/** The GitLab plugin's settings: a token, the instance, and how repositories are named. */
export const gitlabConfigSchema = z.strictObject({
  token: z
    .string({ error: 'expected a GitLab access token (set GITLAB_TOKEN)' })
    .min(1, 'expected a GitLab access token (set GITLAB_TOKEN)'),
  /** The instance: GitLab.com, or a self-managed or Dedicated one (GITLAB_URL). */
  url: z
    .url({
      protocol: /^https?$/,
      error: 'expected an http(s) URL such as https://gitlab.example.com (set GITLAB_URL)',
    })
    .default('https://gitlab.com'),
  /** Group (or user) of repositories named without one: `shop` is `<owner>/shop`. */
  owner: z.string().min(1).optional(),
  /** Author and committer of the commits aidev makes (GitLab links them to an account by e-mail). */
  commit_author: z
    .strictObject({ name: z.string().min(1), email: z.string().min(3) })
    .default({ name: 'aidev', email: 'aidev@users.noreply.gitlab.com' }),
});

export type GitLabConfig = z.output<typeof gitlabConfigSchema>;
