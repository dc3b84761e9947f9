import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/create-logger.js';
import { Guards } from '../../src/resilience/guards.js';
import { VendorError } from '../../src/resilience/vendor-error.js';
import { monitoringFrom } from '../support/otel-monitoring.js';
import { OtlpReceiver } from '../vendors/otlp/otlp-receiver.js';

/** A span per guarded call (#20): the service, its site, the operation, retries and outcome. */
describe('guarded calls in spans', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  beforeEach(() => receiver.reset());
  afterAll(() => receiver.close());

  const monitoringTo = (url: string) =>
    monitoringFrom(
      { OTEL_EXPORTER_OTLP_ENDPOINT: url },
      { instanceId: 'guard-test', logger: silentLogger() },
    );
  const unavailable = () =>
    new VendorError('Jira answered 503', { service: 'jira', code: 'unavailable', retryable: true });

  it('counts a call’s retries and says how it ended, without the site’s credentials', async () => {
    const monitoring = monitoringTo(receiver.url);
    const guards = new Guards(
      silentLogger(),
      { jira: { retries: 3, retryBaseMs: 1, retryMaxMs: 2 } },
      {},
      { monitoring },
    );
    const jira = guards.for('jira', 'https://bot:hunter2@Acme.atlassian.net/rest');
    let attempts = 0;
    await jira.call('get issue PROJ-1', () => {
      attempts += 1;
      return attempts < 3 ? Promise.reject(unavailable()) : Promise.resolve('ok');
    });
    const missing = new VendorError('no such issue', {
      service: 'jira',
      code: 'not_found',
      status: 404,
      retryable: false,
    });
    await expect(jira.call('get issue PROJ-9', () => Promise.reject(missing))).rejects.toBe(
      missing,
    );
    guards.shutdown();
    await monitoring.shutdown();
    const spans = new Map(receiver.spans.map((s) => [s.name, s]));
    expect(spans.get('jira get issue PROJ-1')).toMatchObject({
      kind: 3,
      status: 0,
      attributes: {
        'aidev.vendor.service': 'jira',
        'server.address': 'acme.atlassian.net',
        'aidev.vendor.operation': 'get issue PROJ-1',
        'aidev.vendor.outcome': 'ok',
        'aidev.vendor.retries': 2,
      },
    });
    expect(spans.get('jira get issue PROJ-9')).toMatchObject({
      status: 2,
      attributes: {
        'aidev.vendor.outcome': 'not_found',
        'aidev.vendor.retries': 0,
        'error.type': 'not_found',
      },
    });
    const duration = receiver.metrics.find((m) => m.name === 'aidev.vendor.call.duration');
    expect(
      duration?.points.map((p) => [p.attributes['aidev.vendor.outcome'], p.count]).sort(),
    ).toEqual([
      ['not_found', 1],
      ['ok', 1],
    ]);
    expect(
      JSON.stringify(receiver.spans, (_k, v: unknown) => (typeof v === 'bigint' ? 0 : v)),
    ).not.toContain('hunter2');
  });
});
