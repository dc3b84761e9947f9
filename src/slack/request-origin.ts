/** The workspace and app aidev serves, when the installer named them (`slack.team_id`, `slack.app_id`). */
export interface ExpectedOrigin {
  readonly teamId: string | undefined;
  readonly appId: string | undefined;
}

/**
 * Why a request body from Slack is not for this installation, or undefined if it is. A signed
 * request proves only that it comes from Slack for an app with our signing secret; with a
 * workspace and app configured, one naming another `team_id` or `api_app_id` (or none at all)
 * is refused, whether it came over HTTP or Socket Mode.
 */
export function foreignOrigin(body: unknown, expected: ExpectedOrigin): string | undefined {
  if (expected.teamId === undefined && expected.appId === undefined) return undefined;
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  // Slack's certificate check names no workspace, and starts nothing.
  if (fields.ssl_check !== undefined && fields.command === undefined) return undefined;
  const team = fields.team_id ?? (fields.team as { id?: unknown } | null | undefined)?.id;
  const app = fields.api_app_id;
  if (expected.teamId !== undefined && team !== expected.teamId)
    return `the request is for workspace ${describe(team)}, not ${expected.teamId}`;
  if (expected.appId !== undefined && app !== expected.appId)
    return `the request is for app ${describe(app)}, not ${expected.appId}`;
  return undefined;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : '(none)';
}
