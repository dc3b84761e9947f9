import { createClient, type Client } from 'jira.js/core';
import type { Logger } from '../../log/create-logger.js';
import type { Guards } from '../../resilience/guards.js';
import type { JiraApi } from './api.js';
import { cloudApi } from './cloud-api.js';
import type { JiraConfig } from './config.js';
import { guardedCall } from './errors.js';
import { serverApi } from './server-api.js';

/**
 * One jira.js client for the plugin's life; an API per action call, so each call's requests
 * run under that call's abort signal.
 */
export function jiraApiFactory(
  config: JiraConfig,
  services: { guards: Guards; logger: Logger },
): (signal?: AbortSignal) => JiraApi {
  const client: Client = createClient({
    host: config.url,
    auth:
      config.deployment === 'cloud'
        ? { type: 'basic', email: config.email ?? '', apiToken: config.api_token ?? '' }
        : { type: 'bearer', token: config.pat ?? '' },
    // The guard retries (honouring Retry-After) and counts failures for the breaker: jira.js
    // must not retry underneath it, or each of our attempts would be several requests.
    retry: { maxAttempts: 1 },
    // A response of an unexpected shape is still used; say so in our log, not on stderr. The
    // report names paths and types, never values.
    onSchemaMismatch: (report) =>
      services.logger.warn(
        { service: 'jira', endpoint: report.endpoint, issues: report.issues.slice(0, 5) },
        'jira: a response did not match jira.js’s schema; using it as it is',
      ),
  });
  // The guard of this plugin's site: another channel's Jira elsewhere has its own (#16).
  const guard = services.guards.for('jira', config.url);
  return (signal) => {
    const call = guardedCall(guard, signal);
    return config.deployment === 'cloud' ? cloudApi(client, call) : serverApi(client, call);
  };
}
