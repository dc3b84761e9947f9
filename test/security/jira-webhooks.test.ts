import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { JIRA_TIMESTAMP_TOLERANCE_MS } from '../../src/trackers/jira-delivery.js';
import { jiraWebhookRoutes } from '../../src/trackers/jira-webhooks.js';
import type { TrackerWebhookOptions } from '../../src/trackers/webhook-receiver.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';
import { serveWebhookRoutes } from './support/webhook-route-server.js';
import {
  assigned,
  commentCreated,
  issueCreated,
  jiraSignature,
  jiraWebhookProblems,
  labelAdded,
} from '../vendors/jira/webhook-payloads.js';

/** Not URL-safe on purpose: the Data Center token arrives percent-encoded. */
const SECRET = 'It’s a Secret to Everybody & more';

const serve = (secret: string | undefined, store: TrackerWebhookOptions['store']) =>
  serveWebhookRoutes((log) => jiraWebhookRoutes({ store, secret, log }));

describe('the Jira webhook payloads the tests send', () => {
  it("fit Atlassian's description: the documented envelope around the REST API's objects", async () => {
    for (const payload of [issueCreated(), labelAdded(), assigned(), commentCreated()])
      expect(await jiraWebhookProblems(payload)).toEqual([]);
    expect(await jiraWebhookProblems({ ...labelAdded(), timestamp: 'yesterday' })).not.toEqual([]);
    // The issue is held to IssueBean too: its fields sit under `fields`.
    const issue = { ...(labelAdded().issue as object), summary: 'beside its fields' };
    expect(await jiraWebhookProblems({ ...labelAdded(), issue })).not.toEqual([]);
  });
});

describeEachBackend('Jira webhooks at /jira/webhooks', (database) => {
  let server: FastifyInstance;
  let base: string;
  let logLines: string[];

  beforeAll(async () => {
    ({ server, base, lines: logLines } = await serve(SECRET, database().store));
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    await resetTables(database().db);
    logLines.length = 0;
  });

  const recorded = () =>
    database().store.webhookDeliveries.unhandled(new Date(Date.now() + 60_000), {
      source: 'jira',
    });

  /** Sends a delivery as Jira Cloud does: the JSON body, signed, with its identifier. */
  function deliver(
    payload: object,
    options: {
      id?: string | null;
      signature?: string | null;
      query?: string;
      headers?: Record<string, string>;
      body?: string;
    } = {},
  ) {
    const body = options.body ?? JSON.stringify(payload);
    const signature =
      options.signature === undefined ? jiraSignature(SECRET, body) : options.signature;
    const id = options.id === undefined ? randomUUID() : options.id;
    return fetch(`${base}/jira/webhooks${options.query ?? ''}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=UTF-8',
        'user-agent': 'Atlassian Webhook HTTP Client',
        'x-atlassian-webhook-flow': 'Primary',
        ...(id === null ? {} : { 'x-atlassian-webhook-identifier': id }),
        ...(signature === null ? {} : { 'x-hub-signature': signature }),
        ...options.headers,
      },
      body,
    });
  }

  /** As Jira Data Center / Server does: unsigned, no identifier, the secret in the URL. */
  const deliverWithToken = (payload: object, token = SECRET) =>
    deliver(payload, {
      id: null,
      signature: null,
      query: `?token=${encodeURIComponent(token)}`,
    });

  const detail = async (response: Response) =>
    ((await response.json()) as { detail: string }).detail;

  it('records a signed delivery before answering, with its event, action and payload', async () => {
    const payload = labelAdded();
    const response = await deliver(payload);
    expect(response.status).toBe(202);
    const { status, delivery: id } = (await response.json()) as {
      status: string;
      delivery: string;
    };
    expect(status).toBe('recorded');
    expect(id).toMatch(/^derived-[0-9a-f]{40}$/);
    const delivery = await database().store.webhookDeliveries.get('jira', id);
    expect(delivery).toMatchObject({
      event: 'jira:issue_updated',
      action: 'issue_updated',
      handledAt: null,
    });
    expect(delivery?.payload).toEqual(payload);
    const comment = await deliver(commentCreated());
    expect(comment.status).toBe(202);
    const commentId = ((await comment.json()) as { delivery: string }).delivery;
    expect(await database().store.webhookDeliveries.get('jira', commentId)).toMatchObject({
      event: 'comment_created',
      action: null,
    });
  });

  it('records a Data Center delivery that brings the secret in its URL, under an id derived from the event', async () => {
    const payload = assigned();
    const first = await deliverWithToken(payload);
    expect(first.status).toBe(202);
    const { delivery } = (await first.json()) as { delivery: string };
    expect(delivery).toMatch(/^derived-[0-9a-f]{40}$/);
    // The same event again, its issue rendered anew: the same delivery.
    const resent = {
      ...payload,
      issue: { ...(payload.issue as object), fields: { summary: 'renamed since' } },
    };
    const again = await deliverWithToken(resent);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'already recorded', delivery });
    // Another change in the same millisecond (its own changelog): another delivery.
    const other = await deliverWithToken({
      ...assigned(undefined, '10777'),
      timestamp: payload.timestamp,
    });
    expect(other.status).toBe(202);
    expect(await recorded()).toHaveLength(2);
    // The pull-request loop's sweep (GitHub's deliveries, by default) is not handed these.
    expect(
      await database().store.webhookDeliveries.unhandled(new Date(Date.now() + 60_000)),
    ).toEqual([]);
  });

  it('answers a retry of the same identifier but records it once, however many arrive at once', async () => {
    const payload = commentCreated();
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(payload, { id })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    expect(await recorded()).toHaveLength(1);
  });

  it('acts once on a signed body sent again under another identifier (the identifier is not signed)', async () => {
    const payload = labelAdded();
    const first = await deliver(payload, { id: randomUUID() });
    expect(first.status).toBe(202);
    const { delivery } = (await first.json()) as { delivery: string };
    const replayed = await deliver(payload, { id: randomUUID() });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toEqual({ status: 'already recorded', delivery });
    expect(await recorded()).toHaveLength(1);
  });

  it('refuses forged deliveries with 401 and records nothing, logging no credential', async () => {
    const payload = labelAdded();
    const body = JSON.stringify(payload);
    const wrongToken = 'guessed-token-0123456789';
    const forged = [
      await deliver(payload, { signature: null }),
      await deliver(payload, { signature: jiraSignature('another secret', body) }),
      await deliver(payload, {
        signature: jiraSignature(SECRET, body),
        body: body.replace('"aidev"', '"not-aidev"'),
      }),
      await deliver(payload, { signature: 'sha1=0123456789abcdef0123456789abcdef01234567' }),
      await deliverWithToken(payload, wrongToken),
      await deliver(payload, {
        id: null,
        signature: null,
        query: `?token=${encodeURIComponent(SECRET)}&token=${wrongToken}`,
      }),
      // A signature that is there decides, whatever the URL says.
      await deliver(payload, {
        signature: jiraSignature('another secret', body),
        query: `?token=${encodeURIComponent(SECRET)}`,
      }),
    ];
    for (const response of forged) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await detail(response)).toMatch(/^not a delivery (signed by|from) Jira: /);
    }
    expect(await recorded()).toEqual([]);
    const log = logLines.join('\n');
    expect(
      logLines.filter((line) => line.includes('refused a request to /jira/webhooks')),
    ).toHaveLength(forged.length);
    const signatures = [jiraSignature(SECRET, body), jiraSignature('another secret', body)];
    for (const credential of [SECRET, encodeURIComponent(SECRET), wrongToken, ...signatures])
      expect(log).not.toContain(credential);
  });

  it('refuses a stale delivery (a replay of an old signed body) with 401, in either direction', async () => {
    for (const off of [
      JIRA_TIMESTAMP_TOLERANCE_MS + 60_000,
      -(JIRA_TIMESTAMP_TOLERANCE_MS + 60_000),
    ]) {
      const response = await deliver({ ...labelAdded(), timestamp: Date.now() - off });
      expect(response.status).toBe(401);
      expect(await detail(response)).toMatch(
        /^a stale delivery: its timestamp is \d+ s (ago|ahead)/,
      );
    }
    const replayed = await deliverWithToken({ ...assigned(), timestamp: Date.now() - 3_600_000 });
    expect(replayed.status).toBe(401);
    expect(await recorded()).toEqual([]);
    // Jira Cloud retries for up to 30 minutes with the event's own timestamp.
    const retried = await deliver(
      { ...labelAdded(), timestamp: Date.now() - 29 * 60_000 },
      { headers: { 'x-atlassian-webhook-retry': '5' } },
    );
    expect(retried.status).toBe(202);
  });

  it('says which header or field is wrong, and asks for JSON', async () => {
    const cases: [object | string, RegExp][] = [
      [{ ...labelAdded(), webhookEvent: undefined }, /^webhookEvent: expected .*found none/],
      [{ ...labelAdded(), timestamp: '2024-05-01T10:00:00.000+0000' }, /^timestamp: expected/],
      ['{"webhookEvent": "jira:issue_updated",', /^the body is not JSON$/],
      ['["jira:issue_updated"]', /^the body is not a JSON object$/],
    ];
    for (const [payload, expected] of cases) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const response = await deliver({}, { body });
      expect(response.status).toBe(400);
      expect(await detail(response)).toMatch(expected);
    }
    const badId = await deliver(labelAdded(), { id: 'not an id; DROP TABLE' });
    expect(badId.status).toBe(400);
    expect(await detail(badId)).toContain('X-Atlassian-Webhook-Identifier: expected');
    const form = `payload=${encodeURIComponent(JSON.stringify(labelAdded()))}`;
    const formEncoded = await deliver(
      {},
      { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect(formEncoded.status).toBe(415);
    expect(await detail(formEncoded)).toContain('application/json');
    expect(await recorded()).toEqual([]);
  });
});

describeEachBackend('Jira webhooks without JIRA_WEBHOOK_SECRET', (database) => {
  it('refuses every delivery with 503, saying what to set', async () => {
    const { server, base } = await serve(undefined, database().store);
    try {
      const body = JSON.stringify(labelAdded());
      const response = await fetch(`${base}/jira/webhooks?token=`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-atlassian-webhook-identifier': randomUUID(),
          'x-hub-signature': jiraSignature('', body),
        },
        body,
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toContain(
        'set JIRA_WEBHOOK_SECRET',
      );
    } finally {
      await server.close();
    }
  });
});

describe('the token in a Jira Data Center webhook URL', () => {
  let scratch: string;
  let app: App;
  let server: FastifyInstance;
  let base: string;
  let lines: string[];

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-jira-token-'));
    // The logger is not told the secret: what keeps the token out is the server, not scrubbing.
    const captured = capturingLogger({ level: 'debug' });
    lines = captured.lines;
    const config = loadConfig({
      env: { AIDEV_DATA_DIR: scratch, JIRA_WEBHOOK_SECRET: SECRET },
      cwd: REPO_ROOT,
    });
    app = await createApp({ config, logger: captured.logger, cwd: REPO_ROOT });
    server = await createHttpServer({
      app,
      routes: [
        jiraWebhookRoutes({
          store: app.store,
          secret: config.jira.webhookSecret,
          log: captured.logger.child({ component: 'jira-webhooks' }),
        }),
      ],
    });
    // What request logging would write for every request, URL included.
    server.addHook('onResponse', (request, reply, done) => {
      request.log.info({ req: request, res: reply }, 'request completed');
      done();
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    await app.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('never reaches a log line, right or wrong, on the webhook route or any other', async () => {
    const wrong = 'a-guessed-token-0123456789';
    const post = (query: string, body: string) =>
      fetch(`${base}/jira/webhooks${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const token = encodeURIComponent(SECRET);
    expect((await post(`?token=${token}`, JSON.stringify(assigned()))).status).toBe(202);
    expect((await post(`?token=${wrong}`, JSON.stringify(assigned()))).status).toBe(401);
    expect((await post(`?token=${token}&x=1`, '{"broken":')).status).toBe(400);
    expect((await fetch(`${base}/health?token=${wrong}`)).status).toBe(200);
    expect((await fetch(`${base}/nowhere?token=${wrong}`)).status).toBe(404);

    const urls = lines
      .map((line) => (JSON.parse(line) as { req?: { url: string } }).req?.url)
      .filter((url) => url !== undefined);
    expect(urls).toEqual([
      '/jira/webhooks',
      '/jira/webhooks',
      '/jira/webhooks?x=[REDACTED]',
      '/health?token=[REDACTED]',
      '/nowhere?token=[REDACTED]',
    ]);
    const log = lines.join('\n');
    for (const credential of [SECRET, token, wrong]) expect(log).not.toContain(credential);
  });
});
