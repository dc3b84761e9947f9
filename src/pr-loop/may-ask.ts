import type { ActionCall, ActionRunner, RunInfo } from '../engine/runners.js';
import type { Logger } from '../log/create-logger.js';
import type { OwnedPullRequest } from '../store/repositories/pull-requests.js';
import type { Run } from '../store/repositories/runs.js';

/** Who may ask aidev for changes on its pull request: people who may push to the repository. */
const MAY_ASK = new Set(['admin', 'maintain', 'write']);

/** A plugin call made by the loop itself, on behalf of the run that opened the pull request. */
export function loopCall(
  run: Run,
  log: Logger,
  key: string,
): Omit<ActionCall, 'plugin' | 'action' | 'input'> {
  const info: RunInfo = {
    id: run.id,
    workflow: run.workflowName,
    channelId: run.channelId,
    userId: run.userId,
  };
  return {
    run: info,
    step: 'pull-request-loop',
    attempt: 1,
    idempotencyKey: key,
    signal: AbortSignal.timeout(60_000),
    log,
  };
}

/** How long a person's permission is trusted before it is asked again. */
const PERMISSION_TTL_MS = 60_000;

/**
 * Permissions as the version-control service said them, for a minute: a burst of comments by
 * the same people asks once per person and repository, not once per comment (each ask is a
 * rate-limited call). Short, so that access taken away counts within a minute.
 */
export class PermissionCache {
  private readonly entries = new Map<string, { permission: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, ask: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.until > this.now()) return hit.permission;
    const permission = await ask();
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { permission, until: this.now() + PERMISSION_TTL_MS });
    return permission;
  }
}

/**
 * Whether `author` may start a round on the pull request: write access (or more) to its
 * repository, as the run's version-control plugin says. Anyone can comment on a public
 * repository; only people who could push the change themselves may have aidev push it.
 */
export async function mayAsk(
  actions: ActionRunner,
  call: Omit<ActionCall, 'plugin' | 'action' | 'input'>,
  owned: OwnedPullRequest,
  author: string,
  cache: PermissionCache = new PermissionCache(),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  // Per channel too: a channel's own GitHub may say otherwise than the installation's.
  const key = JSON.stringify([call.run.channelId, owned.repository, author.toLowerCase()]);
  const permission = await cache.get(key, async () => {
    const answer = (await actions.run({
      ...call,
      plugin: 'version_control',
      action: 'get_permission',
      input: { repository: owned.repository, user: author },
    })) as { permission?: unknown };
    return typeof answer.permission === 'string' ? answer.permission : 'none';
  });
  return MAY_ASK.has(permission)
    ? { ok: true }
    : {
        ok: false,
        reason: `${author} may not ask aidev for changes: their permission on ${owned.repository} is ${permission}, and it takes write access`,
      };
}
