import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../app/create-app.js';
import type { AiProvider } from '../plugins/interfaces/ai-provider.js';
import { AI_PROVIDERS } from '../plugins/interfaces/model-ref.js';
import type { PluginHealth } from '../plugins/plugin.js';
import { GLOBAL_SCOPE } from '../plugins/plugin-registry.js';
import { bearerToken, findToken, tokenRefusal } from './api/authenticate.js';
import { problem, sendProblem } from './problem.js';

export interface ReadinessPart {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The channel a channel's own plugin serves; unset for the parts of the whole instance. */
  readonly channel?: string;
}

/**
 * A front end this process serves that needs its own connection to a vendor (the Slack app):
 * /ready names it while it is not connected.
 */
export interface FrontEndCheck {
  readonly name: string;
  status(): { ok: boolean; detail: string };
}

/**
 * Whether this process can do its work: the database answers, the job queue can be read, each
 * plugin is healthy, each front end connected and each configured AI provider accepts its key. A failing part is named, so that a 503 says
 * what is wrong.
 */
export async function readiness(
  app: App,
  frontEnds: readonly FrontEndCheck[] = [],
): Promise<ReadinessPart[]> {
  const parts: ReadinessPart[] = [];
  const started = performance.now();
  try {
    await app.store.db.query('SELECT 1');
    parts.push({
      name: 'database',
      ok: true,
      detail: `${app.store.db.describe()}, ${Math.round(performance.now() - started)} ms`,
    });
  } catch (error) {
    parts.push({ name: 'database', ok: false, detail: (error as Error).message });
  }
  try {
    const stats = await app.jobs.stats();
    parts.push({
      name: 'jobs',
      ok: true,
      detail: `${stats.queued} queued, ${stats.running} running`,
    });
  } catch (error) {
    parts.push({ name: 'jobs', ok: false, detail: (error as Error).message });
  }
  // Telemetry that cannot be sent is said, never a reason to take aidev out of service.
  parts.push({ name: 'monitoring', ok: true, detail: app.monitoring.status().detail });
  for (const frontEnd of frontEnds)
    parts.push({ name: `front end ${frontEnd.name}`, ...frontEnd.status() });
  for (const provider of app.ai.providers)
    if ((AI_PROVIDERS as readonly string[]).includes(provider.name))
      parts.push({ name: `ai ${provider.name}`, ...(await aiHealth(provider)) });
  for (const plugin of await app.plugins.health())
    parts.push({
      name: `plugin ${plugin.type}/${plugin.name}${plugin.scope === GLOBAL_SCOPE ? '' : ` (${plugin.scope})`}`,
      ok: plugin.ok,
      detail: plugin.detail,
      ...(plugin.scope === GLOBAL_SCOPE ? {} : { channel: plugin.scope }),
    });
  return parts;
}

/** Parts checked at most this often: `/ready` is open, and each check asks every plugin. */
const CHECK_EVERY_MS = 2_000;

/**
 * An AI provider is asked at most this often: its model list goes through the same guard, and
 * the same rate limit (one call a second by default), as the agents' model calls.
 */
const AI_CHECK_EVERY_MS = 60_000;
const aiChecked = new WeakMap<AiProvider, { at: number; health: Promise<PluginHealth> }>();

/** A configured AI provider's health (its key accepted), asked once a minute at most. */
function aiHealth(provider: AiProvider): Promise<PluginHealth> {
  const last = aiChecked.get(provider);
  if (last !== undefined && performance.now() - last.at < AI_CHECK_EVERY_MS) return last.health;
  const health = provider.health().catch((error: unknown): PluginHealth => ({
    ok: false,
    detail: error instanceof Error ? error.message : String(error),
  }));
  aiChecked.set(provider, { at: performance.now(), health });
  return health;
}

/**
 * `GET /ready`, open to load balancers: 200 or 503, and which part fails (`failing`: the
 * database, the jobs, a global plugin) or which channels have a broken plugin of their own
 * (`degraded`: those channels fail, the instance serves the others and stays ready). What a
 * part says (vendors' error text: URLs, paths, sometimes a credential) is shown only with an
 * admin token. Concurrent and repeated requests share one check for `CHECK_EVERY_MS`.
 */
export function readinessRoute(app: App, frontEnds: readonly FrontEndCheck[] = []) {
  let last: { at: number; parts: Promise<ReadinessPart[]> } | undefined;
  const current = (): Promise<ReadinessPart[]> => {
    if (last === undefined || performance.now() - last.at > CHECK_EVERY_MS)
      last = { at: performance.now(), parts: readiness(app, frontEnds) };
    return last.parts;
  };

  return async (request: FastifyRequest, reply: FastifyReply) => {
    const [parts, admin] = await Promise.all([current(), isAdmin(app, request)]);
    const failing = parts.filter((p) => !p.ok && p.channel === undefined);
    const degraded = [
      ...new Set(parts.filter((p) => !p.ok && p.channel !== undefined).map((p) => p.channel)),
    ];
    const summary = {
      failing: admin ? failing.map((p) => p.name) : [...new Set(failing.map(publicName))],
      degraded: admin
        ? degraded.map((c) => `channel ${c}`)
        : degraded.length > 0
          ? ['channels']
          : [],
      ...(admin ? { parts } : {}),
    };
    if (failing.length === 0) return { status: 'ready', ...summary };
    const named = admin ? failing.map((p) => `${p.name} (${p.detail})`) : summary.failing;
    return sendProblem(reply, {
      ...problem(503, 'not-ready', `not ready: ${named.join('; ')}`).problem,
      ...summary,
    });
  };
}

/** What a part is called without a token: its kind, never which vendor or what it said. */
function publicName(part: ReadinessPart): string {
  if (part.name.startsWith('plugin ')) return 'plugins';
  if (part.name.startsWith('ai ')) return 'ai';
  return part.name.startsWith('front end ') ? 'front ends' : part.name;
}

async function isAdmin(app: App, request: FastifyRequest): Promise<boolean> {
  const presented = bearerToken(request.headers.authorization);
  if (presented === undefined) return false;
  try {
    const token = await findToken(app, presented);
    return token !== null && tokenRefusal(token) === undefined && token.role === 'admin';
  } catch {
    // The database is what fails: the answer says so, without the details.
    return false;
  }
}
