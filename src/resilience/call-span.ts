import type { Monitoring } from '../plugins/interfaces/monitoring.js';
import type { GuardedSite } from './service-guard.js';
import { VendorError } from './vendor-error.js';

/**
 * One guarded call in a span (#20): which service and site, the operation as the adapter
 * names it (an endpoint, `git push acme/api`; never a credential or a prompt), how many
 * retries it took and how it ended (`ok`, or the vendor error's code).
 */
export function inCallSpan<T>(options: {
  readonly monitoring: Monitoring;
  readonly site: GuardedSite;
  readonly what: string;
  /** The guard's count of retries so far. */
  readonly retries: () => number;
  readonly call: () => Promise<T>;
}): Promise<T> {
  const { site, what } = options;
  const operation = what.length > 120 ? `${what.slice(0, 119)}…` : what;
  return options.monitoring.inSpan(
    {
      kind: 'vendor_call',
      name: `${site.service} ${operation}`,
      attributes: {
        'aidev.vendor.service': site.service,
        'server.address': site.site,
        'aidev.vendor.operation': operation,
      },
    },
    async (span) => {
      const before = options.retries();
      try {
        const result = await options.call();
        span.setAttributes({ 'aidev.vendor.outcome': 'ok' });
        return result;
      } catch (error) {
        span.setAttributes({ 'aidev.vendor.outcome': outcomeOf(error) });
        throw error;
      } finally {
        // The site's retries meanwhile: this call's, and those of calls made at the same time.
        span.setAttributes({ 'aidev.vendor.retries': options.retries() - before });
      }
    },
  );
}

function outcomeOf(error: unknown): string {
  if (error instanceof VendorError) return error.code;
  return error instanceof Error && error.name === 'AbortError' ? 'aborted' : 'error';
}
