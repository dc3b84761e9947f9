import { z } from 'zod';
import { httpUrl, secret, text } from '../../config/values.js';

export const LINEAR_API_URL = 'https://api.linear.app/graphql';

/**
 * The Linear plugin's configuration: a personal API key (sent as the `Authorization` header
 * itself, as Linear documents it) or an OAuth access token (sent as `Bearer`), and the team
 * whose issues a project key stands for when the workflow names none.
 */
export const linearConfigSchema = z
  .strictObject({
    api_key: secret({ what: 'a Linear personal API key (lin_api_…)' }).optional(),
    access_token: secret({ what: 'a Linear OAuth access token' }).optional(),
    api_url: httpUrl(LINEAR_API_URL).default(LINEAR_API_URL),
    /** The team key (`ENG` in ENG-123) used when an action's project is not a team key. */
    team: text()
      .regex(/^[A-Za-z0-9_]+$/, {
        error: 'expected a team key such as ENG (the prefix of its issue identifiers)',
      })
      .optional(),
  })
  .superRefine((config, ctx) => {
    if (config.api_key === undefined && config.access_token === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['api_key'],
        input: undefined,
        message:
          'expected a Linear API key: set LINEAR_API_KEY (Linear → Settings → Security & access → Personal API keys), or LINEAR_ACCESS_TOKEN for an OAuth app',
      });
    // Credentials belong in their own (secret) fields, not in a URL that is shown and logged.
    const url = URL.parse(config.api_url);
    if (url !== null && (url.username !== '' || url.password !== ''))
      ctx.addIssue({
        code: 'custom',
        path: ['api_url'],
        input: `${url.protocol}//***@${url.host}${url.pathname}`,
        message: 'expected a URL without credentials in it (use LINEAR_API_KEY)',
      });
  });

export type LinearConfig = z.output<typeof linearConfigSchema>;
