import { createV2Client, isApiError, type V2Client } from 'confluence.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { VendorError } from '../../../src/resilience/vendor-error.js';
import { confluenceErrorBody } from '../../vendors/confluence/confluence-errors.js';
import { callContext } from '../contracts/call-context.js';
import { EMAIL, TOKEN, useConfluenceServer } from './confluence-setup.js';

const confluence = useConfluenceServer();
const { build, reset, create, lines } = confluence;

describe('confluence plugin', () => {
  beforeEach(reset);

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    confluence.server.http.inject({
      when: (r) => r.operationId === 'createPage',
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const started = performance.now();
    await create('Slow', 'x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(confluence.server.http.count('createPage')).toBe(2);
    expect(confluence.server.pages()).toMatchObject([{ title: 'Slow' }]);
    expect(lines.some((l) => l.includes('"status":429') && l.includes('"waitMs":1000'))).toBe(true);
  });

  it('retries a 5xx, and only the guard retries (confluence.js does not add its own)', async () => {
    confluence.server.http.inject({
      when: (r) => r.operationId === 'getPagesInSpace',
      status: 503,
    });
    expect(await confluence.plugin.actions.get_page_url({ title: 'None' }, callContext())).toEqual({
      doc_url: null,
    });
    expect(confluence.server.http.count('getPagesInSpace')).toBe(2);

    confluence.plugin = build({}, { retries: 2 });
    confluence.server.http.resetTraffic();
    confluence.server.http.inject({ status: 502, times: 10 });
    const failure = await confluence.plugin.actions
      .get_page_url({ title: 'None' }, callContext())
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VendorError);
    expect(failure).toMatchObject({ service: 'confluence', status: 502, retryable: true });
    expect(confluence.server.http.count()).toBe(3);
  });

  it("does not retry an answer: bad credentials fail once, with Confluence's reason", async () => {
    confluence.plugin = build({ api_token: 'wrong-token' });
    confluence.server.http.resetTraffic();
    const failure = await confluence.plugin.connect().catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect((failure as Error).message).toContain('Unauthorized');
    expect(confluence.server.http.count()).toBe(1);
    expect(confluence.guards?.for('confluence', confluence.server.url).state()).toBe('closed');
  });

  it('opens the breaker after repeated failures and closes it after the pause', async () => {
    confluence.plugin = build({}, { retries: 0, breakerVolume: 2, breakerResetMs: 300 });
    confluence.server.http.resetTraffic();
    confluence.server.http.inject({ status: 500, times: 2 });
    const lookup = () =>
      confluence.plugin.actions.get_page_url({ title: 'Anything' }, callContext());
    await expect(lookup()).rejects.toMatchObject({ status: 500 });
    await expect(lookup()).rejects.toMatchObject({ status: 500 });
    expect(confluence.guards?.for('confluence', confluence.server.url).state()).toBe('open');

    await expect(lookup()).rejects.toMatchObject({ code: 'circuit_open' });
    expect(confluence.server.http.count()).toBe(2); // refused without reaching Confluence

    // The breaker lets a probe through once its reset time has passed: wait for that, not a time.
    await vi.waitFor(
      () =>
        expect(confluence.guards?.for('confluence', confluence.server.url).state()).toBe(
          'half_open',
        ),
      { timeout: 10_000 },
    );
    expect(await lookup()).toEqual({ doc_url: null });
    expect(confluence.guards?.for('confluence', confluence.server.url).state()).toBe('closed');
    expect(confluence.server.http.count()).toBe(4); // the space (re-read: not cached yet) and the page
  });

  it('says which call failed and what Confluence said, or the status’s words when it said nothing', async () => {
    const spaceId = confluence.server.spaceByKey('ENG')?.id ?? '';
    const createPage = (r: { operationId: string | undefined }) => r.operationId === 'createPage';
    confluence.server.http.inject({
      when: createPage,
      status: 400,
      body: confluenceErrorBody(400, 'A page with this title already exists'),
    });
    await expect(create('Runbook', 'x')).rejects.toMatchObject({
      message: `Confluence create page "Runbook" in space ${spaceId} answered 400: Bad Request: A page with this title already exists`,
    });
    confluence.server.http.inject({ when: createPage, status: 403, body: {} });
    await expect(create('Runbook', 'x')).rejects.toMatchObject({
      message: `Confluence create page "Runbook" in space ${spaceId} answered 403: Forbidden`,
    });
  });

  it('names the space key when the space does not exist', async () => {
    await expect(create('x', 'x', { space: 'NOPE' })).rejects.toMatchObject({
      code: 'unknown_space',
      message: expect.stringContaining('"NOPE"') as unknown as string,
    });
    expect(await confluence.plugin.health()).toEqual({
      ok: true,
      detail: `space ENG at ${confluence.server.url}`,
    });
    const missing = build({ space: 'GONE' });
    await expect(missing.connect()).rejects.toThrow(/Confluence space "GONE" was not found/);
    expect(await missing.health()).toEqual({
      ok: false,
      detail: `space GONE not found at ${confluence.server.url}`,
    });
  });

  it('stops waiting for a retry when the step is cancelled', async () => {
    confluence.server.http.inject({ status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    const pending = confluence.plugin.actions.get_page_url(
      { title: 'x' },
      { ...callContext(), signal: controller.signal },
    );
    // Cancelled once the 429 has been answered, so the plugin is waiting for the retry.
    const answered = () => confluence.server.http.requests.some((r) => r.status === 429);
    await vi.waitFor(() => expect(answered()).toBe(true), { timeout: 5_000 });
    // Timed from the cancel, not from the call: the wait for the 429 is not what is measured.
    const started = performance.now();
    controller.abort(new Error('cancelled'));
    await expect(pending).rejects.toThrow('cancelled');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(confluence.server.http.count('getPagesInSpace')).toBe(1);
  });

  it('is caught by the local Confluence when a request breaks the description', async () => {
    // The README-style call: confluence.js v3 sends `body` as the whole request body, so the
    // page's fields at the top level never leave the client and Confluence gets no spaceId.
    const raw = createV2Client({
      host: confluence.server.url,
      auth: { type: 'basic', email: EMAIL, apiToken: TOKEN },
    });
    const spaceId = confluence.server.spaceByKey('ENG')?.id ?? '';
    const failure = await raw.page
      .createPage({
        spaceId,
        title: 'Wrong',
        body: { representation: 'storage', value: '<p>x</p>' },
      } as Parameters<V2Client['page']['createPage']>[0])
      .catch((e: unknown) => e);
    expect(isApiError(failure) && failure.status).toBe(400);
    expect(confluence.server.http.violations).toHaveLength(1);
    expect(confluence.server.http.violations[0]).toMatch(/createPage.*violates.*spaceId/);
    expect(confluence.server.pages()).toEqual([]);
    confluence.server.http.resetTraffic(); // seen; the afterEach check is for the plugin's own requests
  });
});
