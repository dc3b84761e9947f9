import { randomUUID } from 'node:crypto';
import { createV2Client, isApiError, type V2Client } from 'confluence.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { confluence } from '../../../src/adapters/confluence/confluence.js';
import {
  escapeXml,
  markdownToStorage,
  renderStoragePage,
} from '../../../src/adapters/confluence/storage-format.js';
import type { Plugin } from '../../../src/plugins/plugin.js';
import { PluginRegistry } from '../../../src/plugins/plugin-registry.js';
import { Guards } from '../../../src/resilience/guards.js';
import type { GuardSettings } from '../../../src/resilience/service-guard.js';
import { VendorError } from '../../../src/resilience/vendor-error.js';
import type { Store } from '../../../src/store/store.js';
import { capturingLogger } from '../../support/logger.js';
import { ConfluenceServer } from '../../vendors/confluence/confluence-server.js';
import { xhtmlProblem } from '../../vendors/confluence/xhtml.js';
import { callContext } from '../contracts/call-context.js';
import { documentationContract } from '../contracts/documentation.contract.js';

// Everything goes through real HTTP: confluence.js → the local Confluence, which checks each
// request against Atlassian's published v2 description.
const EMAIL = 'aidev-bot@acme.test';
const TOKEN = `ATATT-${randomUUID()}`;
const BASIC = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');

let server: ConfluenceServer;
let plugin: Plugin<'documentation'>;
let guards: Guards | undefined;
// Deliberately without `secrets`: nothing may reach the log for redaction to catch.
const { logger, lines } = capturingLogger();

/** A confluence plugin built the way aidev builds it: through the registry's validation. */
function build(
  config: Record<string, unknown> = {},
  guard: Partial<GuardSettings> = {},
): Plugin<'documentation'> {
  guards?.shutdown();
  guards = new Guards(logger, {
    confluence: { ratePerSecond: 1000, retryBaseMs: 5, retryMaxMs: 20, ...guard },
  });
  // The Confluence plugin keeps nothing in aidev's store; this test needs no database.
  const registry = new PluginRegistry({ logger, store: {} as Store, guards, dataDir: '/tmp' });
  registry.register(confluence);
  return registry.configure('documentation', 'confluence', {
    url: server.url,
    email: EMAIL,
    api_token: TOKEN,
    space: 'ENG',
    ...config,
  }) as Plugin<'documentation'>;
}

async function reset(): Promise<void> {
  server.reset();
  server.givenSpace('ENG', 'Engineering');
  lines.length = 0;
  plugin = build();
  await plugin.connect();
}

beforeAll(async () => {
  server = await ConfluenceServer.start({ email: EMAIL, apiToken: TOKEN });
});

afterAll(async () => {
  guards?.shutdown();
  await server.close();
});

afterEach(() => {
  expect(server.http.violations).toEqual([]);
});

documentationContract('confluence', () => ({
  plugin,
  reset,
  pages: () => Promise.resolve(server.pages()),
}));

const create = (title: string, content: string, extra: { space?: string; parent?: string } = {}) =>
  plugin.actions.create_page_from_template(
    { template_type: 'implementation_notes', title, content, ...extra },
    callContext(),
  );

const bodiesOf = (operationId: string) =>
  server.http.requests.filter((r) => r.operationId === operationId).map((r) => r.body);

describe('confluence plugin', () => {
  beforeEach(reset);

  it('creates pages under the configured parent, or the one a step names', async () => {
    const docs = server.givenPage('ENG', 'Engineering Docs');
    const other = server.givenPage('ENG', 'Runbooks');
    plugin = build({ parent: 'Engineering Docs' });

    const page = await create('PROJ-7: Export', 'CSV export.');
    expect(server.page('PROJ-7: Export')?.parentId).toBe(docs.id);
    expect(bodiesOf('createPage')[0]).toMatchObject({
      spaceId: docs.spaceId,
      status: 'current',
      title: 'PROJ-7: Export',
      parentId: docs.id,
      body: { representation: 'storage' },
    });
    expect(page.doc_url).toBe(
      `${server.url}/wiki/spaces/ENG/pages/${page.page_id}/PROJ-7%3A+Export`,
    );

    await create('By title', 'x', { parent: 'Runbooks' });
    await create('By id', 'x', { parent: other.id });
    expect(server.page('By title')?.parentId).toBe(other.id);
    expect(server.page('By id')?.parentId).toBe(other.id);

    await expect(create('Lost', 'x', { parent: 'No such page' })).rejects.toMatchObject({
      code: 'unknown_parent',
      message: expect.stringMatching(/"No such page".*"ENG"/) as unknown as string,
    });
  });

  it('updates the page with the next version number', async () => {
    const first = await create('Notes', 'one');
    await create('Notes', 'two');
    const third = await create('Notes', 'three');

    expect(third.page_id).toBe(first.page_id);
    expect(bodiesOf('createPage')).toHaveLength(1);
    const updates = bodiesOf('updatePage') as { id: string; version: { number: number } }[];
    expect(updates.map((u) => [u.id, u.version.number])).toEqual([
      [first.page_id, 2],
      [first.page_id, 3],
    ]);
    expect(server.pages()).toMatchObject([{ title: 'Notes', version: 3 }]);
    expect(server.pages()[0]?.body).toContain('three');
  });

  it('writes on top of an edit saved between its read and its write (409)', async () => {
    await create('Shared', 'mine');
    let edited = false;
    server.http.inject({
      when: (request) => {
        // Someone saves version 2 just before aidev's PUT arrives.
        const page = server.page('Shared');
        if (request.operationId === 'updatePage' && !edited && page !== undefined) {
          edited = true;
          page.version += 1;
          page.body = '<p>theirs</p>';
        }
        return false;
      },
    });
    await create('Shared', 'mine again');

    expect(
      server.http.requests.filter((r) => r.operationId === 'updatePage').map((r) => r.status),
    ).toEqual([409, 200]);
    expect(server.pages()).toMatchObject([{ title: 'Shared', version: 3 }]);
    expect(server.pages()[0]?.body).toContain('mine again');
  });

  it('updates a page another run created after it looked (400 on create)', async () => {
    let made = '';
    server.http.inject({
      when: (request) => {
        if (request.operationId === 'createPage' && made === '')
          made = server.givenPage('ENG', 'Race').id;
        return false;
      },
    });
    const page = await create('Race', 'ours');
    expect(page.page_id).toBe(made);
    expect(server.pages()).toMatchObject([{ id: made, title: 'Race', version: 2 }]);
    expect(server.pages()[0]?.body).toContain('ours');
  });

  it('writes escaped storage XHTML: headings, paragraphs, line breaks, lists, code', async () => {
    const content = [
      'Totals <b>are</b> rounded & "checked".',
      'Second line of the paragraph.',
      '',
      '## Details',
      '- one `a < b`',
      '- **two**',
      '',
      '```ts',
      'if (a < b && c) x = "]]>";',
      '```',
      'Control\u0007 char.',
    ].join('\n');
    await plugin.actions.create_page_from_template(
      { template_type: 'feature_documentation', title: 'Escapes', content },
      callContext(),
    );
    const body = server.page('Escapes')?.body ?? '';
    expect(xhtmlProblem(body)).toBeUndefined();
    expect(body).toContain('<h2>What it does and how to use it</h2>');
    expect(body).toContain(
      '<p>Totals &lt;b&gt;are&lt;/b&gt; rounded &amp; &quot;checked&quot;.<br />Second line of the paragraph.</p>',
    );
    expect(body).toContain(
      '<h2>Details</h2><ul><li>one <code>a &lt; b</code></li><li><strong>two</strong></li></ul>',
    );
    expect(body).toContain('<![CDATA[if (a < b && c) x = "]]]]><![CDATA[>";]]>');
    expect(body).toContain('<p>Control char.</p>');
    expect(body).not.toContain('<b>');
  });

  it('renders Markdown-ish text as storage format', () => {
    expect(escapeXml(`<a href='x'>&amp;</a>`)).toBe(
      '&lt;a href=&#39;x&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(markdownToStorage('a\nb\n\n\nc')).toBe('<p>a<br />b</p><p>c</p>');
    expect(markdownToStorage('1. x\n2. y\ntext')).toBe('<ol><li>x</li><li>y</li></ol><p>text</p>');
    expect(markdownToStorage('```\nunclosed <x>')).toBe(
      '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[unclosed <x>]]></ac:plain-text-body></ac:structured-macro>',
    );
    const page = renderStoragePage('page', { content: '', runId: 'r<1>', date: new Date(0) });
    expect(page).toBe('<hr /><p><em>Written by aidev (run r&lt;1&gt;) on 1970-01-01.</em></p>');
    for (const text of ['a & b', '<<>>', '"\'', '`x', '**', '# ', '- ', '```', '\u0000\ud800'])
      expect(xhtmlProblem(markdownToStorage(text)), text).toBeUndefined();
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    server.http.inject({
      when: (r) => r.operationId === 'createPage',
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const started = performance.now();
    await create('Slow', 'x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(server.http.count('createPage')).toBe(2);
    expect(server.pages()).toMatchObject([{ title: 'Slow' }]);
    expect(lines.some((l) => l.includes('"status":429') && l.includes('"waitMs":1000'))).toBe(true);
  });

  it('retries a 5xx, and only the guard retries (confluence.js does not add its own)', async () => {
    server.http.inject({ when: (r) => r.operationId === 'getPagesInSpace', status: 503 });
    expect(await plugin.actions.get_page_url({ title: 'None' }, callContext())).toEqual({
      doc_url: null,
    });
    expect(server.http.count('getPagesInSpace')).toBe(2);

    plugin = build({}, { retries: 2 });
    server.http.resetTraffic();
    server.http.inject({ status: 502, times: 10 });
    const failure = await plugin.actions
      .get_page_url({ title: 'None' }, callContext())
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(VendorError);
    expect(failure).toMatchObject({ service: 'confluence', status: 502, retryable: true });
    expect(server.http.count()).toBe(3);
  });

  it("does not retry an answer: bad credentials fail once, with Confluence's reason", async () => {
    plugin = build({ api_token: 'wrong-token' });
    server.http.resetTraffic();
    const failure = await plugin.connect().catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect((failure as Error).message).toContain('Unauthorized');
    expect(server.http.count()).toBe(1);
    expect(guards?.for('confluence').state()).toBe('closed');
  });

  it('opens the breaker after repeated failures and closes it after the pause', async () => {
    plugin = build({}, { retries: 0, breakerVolume: 2, breakerResetMs: 300 });
    server.http.resetTraffic();
    server.http.inject({ status: 500, times: 2 });
    const lookup = () => plugin.actions.get_page_url({ title: 'Anything' }, callContext());
    await expect(lookup()).rejects.toMatchObject({ status: 500 });
    await expect(lookup()).rejects.toMatchObject({ status: 500 });
    expect(guards?.for('confluence').state()).toBe('open');

    await expect(lookup()).rejects.toMatchObject({ code: 'circuit_open' });
    expect(server.http.count()).toBe(2); // refused without reaching Confluence

    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await lookup()).toEqual({ doc_url: null });
    expect(guards?.for('confluence').state()).toBe('closed');
    expect(server.http.count()).toBe(4); // the space (re-read: not cached yet) and the page
  });

  it('names the space key when the space does not exist', async () => {
    await expect(create('x', 'x', { space: 'NOPE' })).rejects.toMatchObject({
      code: 'unknown_space',
      message: expect.stringContaining('"NOPE"') as unknown as string,
    });
    expect(await plugin.health()).toEqual({ ok: true, detail: `space ENG at ${server.url}` });
    const missing = build({ space: 'GONE' });
    await expect(missing.connect()).rejects.toThrow(/Confluence space "GONE" was not found/);
    expect(await missing.health()).toEqual({
      ok: false,
      detail: `space GONE not found at ${server.url}`,
    });
  });

  it('stops waiting for a retry when the step is cancelled', async () => {
    server.http.inject({ status: 429, headers: { 'retry-after': '30' } });
    const controller = new AbortController();
    const started = performance.now();
    const pending = plugin.actions.get_page_url(
      { title: 'x' },
      { ...callContext(), signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(pending).rejects.toThrow('cancelled');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(server.http.count('getPagesInSpace')).toBe(1);
  });

  it('refuses a configuration field by field, without echoing the token', () => {
    expect(() =>
      build({
        url: 'acme.atlassian.net',
        email: 'nobody',
        space: 'two words',
        api_token: 'sekrit-1',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: expect.stringMatching(
          /plugins\.documentation\.confluence\.url: .*site URL[\s\S]*\.email: [\s\S]*\.space: .*space key/,
        ) as unknown as string,
      }),
    );
    expect(() => build({ api_token: '' })).toThrow(/plugins\.documentation\.confluence\.api_token/);
    const typo = (() => {
      try {
        build({ api_token: 4242424242 });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(typo).toMatch(/plugins\.documentation\.confluence\.api_token/);
    expect(typo).not.toContain('4242424242');
    // A URL copied from the browser (with /wiki) is the same site.
    plugin = build({ url: `${server.url}/wiki/` });
    return expect(plugin.health()).resolves.toMatchObject({ ok: true });
  });

  it('is caught by the local Confluence when a request breaks the description', async () => {
    // The README-style call: confluence.js v3 sends `body` as the whole request body, so the
    // page's fields at the top level never leave the client and Confluence gets no spaceId.
    const raw = createV2Client({
      host: server.url,
      auth: { type: 'basic', email: EMAIL, apiToken: TOKEN },
    });
    const spaceId = server.spaceByKey('ENG')?.id ?? '';
    const failure = await raw.page
      .createPage({
        spaceId,
        title: 'Wrong',
        body: { representation: 'storage', value: '<p>x</p>' },
      } as Parameters<V2Client['page']['createPage']>[0])
      .catch((e: unknown) => e);
    expect(isApiError(failure) && failure.status).toBe(400);
    expect(server.http.violations).toHaveLength(1);
    expect(server.http.violations[0]).toMatch(/createPage.*violates.*spaceId/);
    expect(server.pages()).toEqual([]);
    server.http.resetTraffic(); // seen; the afterEach check is for the plugin's own requests
  });

  it('never logs the API token', async () => {
    server.http.inject({
      when: (r) => r.operationId === 'createPage',
      status: 429,
      headers: { 'retry-after': '0' },
    });
    await plugin.actions.create_page_from_template(
      { template_type: 'page', title: 'Logged', content: 'x' },
      { ...callContext(), log: logger },
    );
    const revokedGuards = new Guards(logger);
    const registry = new PluginRegistry({
      logger,
      store: {} as Store,
      guards: revokedGuards,
      dataDir: '/tmp',
    });
    registry.register(confluence);
    registry.configure('documentation', 'confluence', {
      url: server.url,
      email: EMAIL,
      api_token: `${TOKEN}-revoked`,
      space: 'ENG',
    });
    await registry.connectAll(); // fails (401) and logs why
    revokedGuards.shutdown();
    expect(lines.some((l) => l.includes('retrying'))).toBe(true);
    expect(lines.some((l) => l.includes('could not connect'))).toBe(true);
    expect(lines.some((l) => l.includes('created page'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toContain(TOKEN);
      expect(line).not.toContain(BASIC);
    }
  });
});
