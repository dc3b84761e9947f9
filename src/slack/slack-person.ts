import type { SlackWeb } from '../adapters/slack/slack-web.js';
import type { App } from '../app/create-app.js';
import type { Actor } from '../engine/run-authority.js';

/**
 * The person behind a Slack request, for `authorizeRun` / `authorizeSettings`. An admin is a
 * workspace admin or owner (`users.info`), or someone the installer names in `slack.admins`.
 */
export function slackPerson(app: App, web: SlackWeb, userId: string): Actor {
  let admin: Promise<boolean> | undefined;
  return {
    kind: 'person',
    id: userId,
    isAdmin: () =>
      (admin ??= app.config.slack.admins.includes(userId)
        ? Promise.resolve(true)
        : // Slack unreachable: not known to be an admin, so refused (and told who may).
          web.isAdmin(userId).catch(() => false)),
  };
}
