import { z } from 'zod';
import { email, httpUrl, oneOf, secret, text } from '../../config/values.js';

/** A custom field id as Jira names it in the REST API, e.g. `customfield_10016`. */
const customFieldId = z
  .string()
  .trim()
  .regex(/^customfield_\d+$/, { error: 'expected a custom field id such as customfield_10016' });

/**
 * The Jira plugin's configuration. Jira Cloud signs in with an account's email and an API token
 * (REST v3); Jira Server / Data Center with a personal access token (REST v2), so the deployment
 * defaults from which credential is given.
 */
export const jiraConfigSchema = z
  .strictObject({
    url: httpUrl('https://your-domain.atlassian.net'),
    email: email().optional(),
    api_token: secret({ what: 'a Jira API token' }).optional(),
    pat: secret({ what: 'a Jira personal access token' }).optional(),
    deployment: oneOf(['cloud', 'server']).optional(),
    /** Where this site keeps the values Jira has no standard field for (ids differ per site). */
    custom_fields: z
      .strictObject({
        story_points: customFieldId.optional(),
        /** Server / Data Center's "Epic Link"; on Cloud an epic is the issue's `parent`. */
        epic: customFieldId.optional(),
        team: customFieldId.optional(),
        /** Server / Data Center's "Epic Name", which classic projects require on an epic. */
        epic_name: customFieldId.optional(),
      })
      .default({}),
    epic_issue_type: text().default('Epic'),
    task_issue_type: text().default('Task'),
  })
  .superRefine((config, ctx) => {
    // Credentials belong in their own (secret) fields, not in a URL that is shown and logged;
    // the problem shows the URL with them masked.
    const url = URL.parse(config.url);
    if (url !== null && (url.username !== '' || url.password !== ''))
      ctx.addIssue({
        code: 'custom',
        path: ['url'],
        input: `${url.protocol}//***@${url.host}${url.pathname}`,
        message: 'expected a URL without credentials in it (use email and api_token, or pat)',
      });
    const deployment = config.deployment ?? (config.pat === undefined ? 'cloud' : 'server');
    if (deployment === 'cloud') {
      if (config.email === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['email'],
          input: config.email,
          message:
            'expected the email address of the Jira account: Jira Cloud signs in with email and api_token (for Server / Data Center set pat)',
        });
      if (config.api_token === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['api_token'],
          input: config.api_token,
          message:
            'expected an API token (https://id.atlassian.com/manage-profile/security/api-tokens): Jira Cloud signs in with email and api_token',
        });
    } else if (config.pat === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['pat'],
        input: config.pat,
        message:
          'expected a personal access token: Jira Server / Data Center signs in with pat (created under Profile → Personal Access Tokens)',
      });
    }
  })
  .transform((config) => ({
    ...config,
    deployment: config.deployment ?? (config.pat === undefined ? 'cloud' : 'server'),
  }));

export type JiraConfig = z.output<typeof jiraConfigSchema>;
export type Deployment = JiraConfig['deployment'];
