import type { Logger } from '../log/create-logger.js';
import {
  ServiceGuard,
  type GuardSettings,
  type GuardStats,
  type SharedRateLimit,
} from './service-guard.js';

/** The outside services whose calls go through a guard. */
export const GUARDED_SERVICES = ['jira', 'confluence', 'github', 'anthropic', 'slack'] as const;
export type GuardedService = (typeof GUARDED_SERVICES)[number];

/** Calls per second per service, from the architecture notes (Confluence as Jira). */
export const DEFAULT_RATES: Readonly<Record<GuardedService, number>> = {
  jira: 2,
  confluence: 2,
  github: 5,
  anthropic: 1,
  slack: 10,
};

export const DEFAULT_GUARD: Omit<GuardSettings, 'ratePerSecond'> = {
  retries: 3,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  breakerVolume: 5,
  breakerResetMs: 60_000,
};

/** One guard per outside service, shared by every plugin instance that calls it. */
export class Guards {
  private readonly guards = new Map<string, ServiceGuard>();

  constructor(
    private readonly logger: Logger,
    private readonly overrides: Readonly<Record<string, Partial<GuardSettings>>> = {},
    /** Settings for every service (e.g. no retries for a quick check), under `overrides`. */
    private readonly common: Partial<GuardSettings> = {},
    /** Rate limits every process on the database shares (none: each process keeps its own). */
    private readonly shared?: SharedRateLimit,
  ) {}

  for(service: string): ServiceGuard {
    let guard = this.guards.get(service);
    if (guard === undefined) {
      const settings: GuardSettings = {
        ...DEFAULT_GUARD,
        ratePerSecond: DEFAULT_RATES[service as GuardedService] ?? 2,
        ...this.common,
        ...this.overrides[service],
      };
      guard = new ServiceGuard(service, settings, this.logger.child({ service }), this.shared);
      this.guards.set(service, guard);
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
