import type { Logger } from '../log/create-logger.js';
import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import {
  ServiceGuard,
  type GuardSettings,
  type GuardStats,
  type SharedRateLimit,
} from './service-guard.js';

/** The outside services whose calls go through a guard. */
export const GUARDED_SERVICES = [
  'jira',
  'linear',
  'confluence',
  'github',
  'gitlab',
  'anthropic',
  'openai',
  'slack',
] as const;
export type GuardedService = (typeof GUARDED_SERVICES)[number];

/** Calls per second per service, from the architecture notes (Confluence as Jira). */
export const DEFAULT_RATES: Readonly<Record<GuardedService, number>> = {
  jira: 2,
  // Linear allows an API key 5,000 requests an hour (about 1.4 a second).
  linear: 1,
  confluence: 2,
  github: 5,
  // GitLab.com allows an authenticated user 2,000 API requests a minute; self-managed sets its own.
  gitlab: 5,
  anthropic: 1,
  // OpenAI's limits depend on the account's tier; a model call a second is far below any.
  openai: 1,
  slack: 10,
};

export const DEFAULT_GUARD: Omit<GuardSettings, 'ratePerSecond'> = {
  retries: 3,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  breakerVolume: 5,
  breakerResetMs: 60_000,
};

/**
 * One guard per site of an outside service (a Jira at acme.atlassian.net, another a channel
 * configured at jira.corp.example), shared by every plugin instance that calls that site: one
 * failing site pauses only its own calls, never those of the service's other sites (#16).
 */
export class Guards {
  private readonly guards = new Map<string, ServiceGuard>();

  constructor(
    private readonly logger: Logger,
    private readonly overrides: Readonly<Record<string, Partial<GuardSettings>>> = {},
    /** Settings for every service (e.g. no retries for a quick check), under `overrides`. */
    private readonly common: Partial<GuardSettings> = {},
    private readonly options: {
      /** Rate limits every process on the database shares (none: each process keeps its own). */
      readonly shared?: SharedRateLimit;
      /** A span per guarded call (#20); none when unset. */
      readonly monitoring?: Monitoring;
    } = {},
  ) {}

  /**
   * The guard of `service` at `site`: the address the calls go to (a URL, whose host names the
   * site), or a site's name. The settings are the service's, for each of its sites.
   *
   * @example guards.for('jira', config.url).call('get issue PROJ-1', () => …)
   */
  for(service: string, site: string): ServiceGuard {
    const name = siteName(site);
    const key = `${service} ${name}`;
    let guard = this.guards.get(key);
    if (guard === undefined) {
      const settings: GuardSettings = {
        ...DEFAULT_GUARD,
        ratePerSecond: DEFAULT_RATES[service as GuardedService] ?? 2,
        ...this.common,
        ...this.overrides[service],
      };
      guard = new ServiceGuard(
        { service, site: name },
        settings,
        this.logger.child({ service, site: name }),
        this.options,
      );
      this.guards.set(key, guard);
    }
    return guard;
  }

  stats(): GuardStats[] {
    return [...this.guards.values()].map((g) => g.stats());
  }

  shutdown(): void {
    for (const guard of this.guards.values()) guard.shutdown();
  }
}

/**
 * A site's name for guards, logs and metrics: the URL's host (with its port), lower-cased, so
 * that https://Acme.atlassian.net/ and https://acme.atlassian.net/wiki are one site. Never the
 * URL's user, password, path or query: a name is safe to show. Not a URL: taken as a name.
 */
export function siteName(site: string): string {
  const url = URL.parse(site);
  return url === null || url.host === '' ? site.toLowerCase() : url.host.toLowerCase();
}
