import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DECLARED_GET, slackServerDescription } from '../vendors/slack/slack-description.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { ALICE, BOT_TOKEN, CHANNEL } from './slack-test-setup.js';

let server: SlackServer;

beforeAll(async () => {
  server = await startSlackServer({ botToken: BOT_TOKEN });
});
beforeEach(() => server.reset());
afterEach(() => {
  expect(server.violations).toEqual([]);
});
afterAll(() => server.close());

/** A Web API call the way curl or another client might make it, not the SDK. */
async function call(
  method: string,
  init: { form?: Record<string, string>; json?: object; query?: string; bearer?: boolean },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (init.bearer !== false) headers.authorization = `Bearer ${BOT_TOKEN}`;
  let body: string | undefined;
  if (init.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(init.json);
  }
  const query = init.query === undefined ? '' : `?${init.query}`;
  const response = await fetch(`${server.apiUrl}${method}${query}`, {
    method: body === undefined && init.query !== undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("Slack's published description, as the test server reads it", () => {
  it('gives every method declared GET a POST twin, the way the Web API is called', async () => {
    const { document } = await slackServerDescription();
    const items = Object.values(document.paths ?? {}) as Record<string, { operationId: string }>[];
    const declaredGet = items.filter((item) => item.get !== undefined);
    expect(declaredGet.length).toBeGreaterThanOrEqual(80);
    for (const item of declaredGet) {
      expect(item.post?.operationId).toBeDefined();
      expect(item.get?.operationId).toBe(`${item.post?.operationId ?? ''}${DECLARED_GET}`);
    }
  });

  it('accepts a declared-GET method as GET with query parameters, or as POST with a form', async () => {
    const asGet = await call('users.info', { query: `user=${ALICE}&include_locale=true` });
    const asPost = await call('users.info', { form: { user: ALICE, include_locale: 'true' } });
    expect(asGet).toMatchObject({ status: 200, body: { ok: true, user: { id: ALICE } } });
    expect(asPost).toEqual(asGet);
    expect(server.requests.map((r) => r.operationId)).toEqual(['users_info_get', 'users_info']);
  });

  it('takes the token from Authorization, a form field or the query', async () => {
    const fromForm = await call('auth.test', { form: { token: BOT_TOKEN }, bearer: false });
    const fromQuery = await call('auth.test', { query: `token=${BOT_TOKEN}`, bearer: false });
    const none = await call('auth.test', { form: {}, bearer: false });
    expect(fromForm.body.ok).toBe(true);
    expect(fromQuery.body.ok).toBe(true);
    expect(none).toEqual({ status: 200, body: { ok: false, error: 'not_authed' } });
  });

  it('coerces form fields the description types as booleans and integers', async () => {
    const info = await call('conversations.info', {
      form: { channel: CHANNEL, include_num_members: 'true' },
    });
    expect(info.body).toMatchObject({ ok: true, channel: { num_members: 3 } });
    const members = await call('conversations.members', { form: { channel: CHANNEL, limit: '1' } });
    expect(members.body.members).toEqual([ALICE]);
  });

  it('accepts fields the description types differently from method to method', async () => {
    // as_user is a string in chat.postMessage and a boolean in chat.postEphemeral.
    const ephemeral = await call('chat.postEphemeral', {
      form: { channel: CHANNEL, user: ALICE, text: 'x', as_user: 'false' },
    });
    expect(ephemeral.body.ok).toBe(true);
  });

  it('accepts a JSON body with blocks as an array', async () => {
    const posted = await call('chat.postMessage', {
      json: { channel: CHANNEL, text: 'json', blocks: [{ type: 'divider' }], unfurl_links: false },
    });
    expect(posted).toMatchObject({ status: 200, body: { ok: true, channel: CHANNEL } });
    expect(server.channel(CHANNEL).messages[0]?.blocks).toEqual([
      { type: 'divider', block_id: expect.any(String) as unknown },
    ]);
  });

  it('refuses a form field that does not convert to its declared type', async () => {
    const bad = await call('conversations.members', { form: { channel: CHANNEL, limit: 'many' } });
    expect(bad).toMatchObject({ status: 400, body: { ok: false, error: 'invalid_arguments' } });
    expect(server.takeViolations()).toEqual([expect.stringContaining('limit must be integer')]);
  });

  it('answers unknown_method for a method Slack does not have', async () => {
    const unknown = await call('chat.teleport', { form: {} });
    expect(unknown).toMatchObject({ status: 404, body: { ok: false, error: 'unknown_method' } });
  });

  it('flags a described method the test server does not implement yet', async () => {
    const missing = await call('chat.delete', { form: { channel: CHANNEL, ts: '1.2' } });
    expect(missing.status).toBe(501);
    expect(server.takeViolations()).toEqual(['Slack test server: chat_delete is not implemented']);
  });
});
