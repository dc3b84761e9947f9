import { z } from 'zod';
import { rsaPrivateKeyPem } from '../../config/github-app-key.js';

/**
 * The GitHub plugin's settings: a token, or a GitHub App (its id, key and, optionally, the
 * installation), and how to reach and pace GitHub.
 */
const id = (what: string) =>
  z
    .union([z.string().regex(/^[1-9]\d*$/), z.number().int().positive()], {
      error: `expected ${what}: a number such as 123456`,
    })
    .transform(Number);

export const githubConfigSchema = z
  .strictObject({
    token: z.string().min(1).optional(),
    /** A GitHub App instead of a token (wins when both are given). */
    app_id: id('a GitHub App id').optional(),
    /**
     * The App's RSA private key as PEM (`\n` escapes read as line breaks). Never a path: a
     * channel's stored configuration must not name files on the server.
     */
    private_key: z
      .string()
      .transform((pem) => pem.trim().replace(/\\r/g, '').replace(/\\n/g, '\n'))
      .pipe(rsaPrivateKeyPem('found'))
      .optional(),
    /** Default: each repository's installation, asked of GitHub. */
    installation_id: id('a GitHub App installation id').optional(),
    api_url: z
      .url({
        protocol: /^https?$/,
        error: 'expected an http(s) URL such as https://api.github.com',
      })
      .default('https://api.github.com'),
    /** Owner (user or organisation) of repositories named without one. */
    owner: z.string().min(1).optional(),
    /** Least time between two writes; GitHub asks integrations to space their writes. */
    write_spacing_ms: z.number().int().min(0).max(10_000).default(100),
    /** Least time between two writes that notify people (pull requests, labels, reviewers). */
    notification_spacing_ms: z.number().int().min(0).max(10_000).default(1_000),
    /** Author and committer of the commits aidev pushes with a token (an App's are its bot's). */
    commit_author: z
      .strictObject({ name: z.string().min(1), email: z.string().min(3) })
      .default({ name: 'aidev[bot]', email: 'aidev[bot]@users.noreply.github.com' }),
  })
  .superRefine((config, ctx) => {
    const issue = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, input: undefined });
    if (config.app_id === undefined) {
      if (config.token === undefined)
        issue(
          'token',
          'expected a GitHub token (set GITHUB_TOKEN) or a GitHub App (set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY)',
        );
      if (config.private_key !== undefined || config.installation_id !== undefined)
        issue('app_id', 'expected the GitHub App id (set GITHUB_APP_ID) with its key');
    } else if (config.private_key === undefined)
      issue('private_key', "expected the GitHub App's private key (set GITHUB_APP_PRIVATE_KEY)");
  });
