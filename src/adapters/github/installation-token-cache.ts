import { registerSecrets } from '../../log/scrub-secrets.js';

/** Renew a token this long before it expires at most (GitHub's tokens last an hour). */
const MAX_MARGIN_MS = 5 * 60_000;

/** The store @octokit/auth-app keeps installation tokens in (its `cache` option). */
export interface TokenCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

/**
 * Where @octokit/auth-app keeps installation tokens, honouring each token's `expires_at`.
 * auth-app's own store keeps a token 59 minutes whatever GitHub said; this one drops it a
 * little before it expires (a tenth of its life, at most five minutes), so the next request
 * makes a new one instead of failing with an expired one. Each token is made a secret: log
 * lines and errors never show it.
 *
 * auth-app stores `token|createdAt|expiresAt|…` (ISO dates) under the installation's key.
 */
export function installationTokenCache(now: () => number = Date.now): TokenCache {
  const entries = new Map<string, { value: string; renewAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (now() < entry.renewAt) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value) {
      const [token = '', createdAt = '', expiresAt = ''] = value.split('|');
      registerSecrets([token]);
      const expires = Date.parse(expiresAt);
      // A token without a readable expiry is not kept: each request then makes its own.
      if (!Number.isFinite(expires)) return;
      const created = Date.parse(createdAt);
      const life = Number.isFinite(created) ? Math.max(0, expires - created) : MAX_MARGIN_MS;
      entries.set(key, { value, renewAt: expires - Math.min(MAX_MARGIN_MS, life / 10) });
    },
  };
}
