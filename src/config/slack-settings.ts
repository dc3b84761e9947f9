import { z } from 'zod';
import { settingsRegistry } from './settings-registry.js';

/** `slack:` in aidev.config.yaml: which workspace and app aidev serves, and who administers it. */
export const slackSettingsSchema = z
  .strictObject({
    team_id: z
      .string()
      .regex(/^T[A-Z0-9]+$/, { error: 'expected a Slack workspace id such as T012AB3CD' })
      .optional()
      .register(settingsRegistry, {
        description:
          'The Slack workspace aidev serves: requests from any other `team_id` are refused.',
        default: 'any workspace',
      }),
    app_id: z
      .string()
      .regex(/^A[A-Z0-9]+$/, { error: 'expected a Slack app id such as A012AB3CD' })
      .optional()
      .register(settingsRegistry, {
        description: 'The Slack app aidev is: requests for any other `api_app_id` are refused.',
        default: 'any app',
      }),
    admins: z
      .array(
        z.string().regex(/^[UW][A-Z0-9]+$/, {
          error: 'expected Slack user ids such as U012ABCDEF',
        }),
      )
      .optional()
      .register(settingsRegistry, {
        description:
          'Slack users who may change any channel’s settings and act on any run, besides workspace admins and owners.',
        default: 'none',
      }),
  })
  .optional();
