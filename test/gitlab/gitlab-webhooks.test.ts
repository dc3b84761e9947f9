import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { gitlabWebhookRoutes } from '../../src/gitlab/webhooks-http.js';
import { actOnForgeDelivery } from '../../src/pr-loop/github-delivery.js';
import type { FeedbackOutcome, NewFeedback } from '../../src/pr-loop/pr-loop.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { noteHook, pipelineHook } from '../vendors/gitlab/webhook-payloads.js';

const SECRET = 'gitlab webhook secret token of the test';
const WEB = 'https://gitlab.example.com';

describeEachBackend('GitLab webhooks at /gitlab/webhooks', (database) => {
  let server: FastifyInstance;
  let base: string;
  const recorded: string[] = [];
  const { logger, lines } = capturingLogger({ level: 'debug' });

  beforeAll(async () => {
    server = Fastify();
    await server.register(
      gitlabWebhookRoutes({
        store: database().store,
        secret: SECRET,
        log: logger,
        onRecorded: (id) => Promise.resolve(recorded.push(id)),
      }),
    );
    await server.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await server.close();
    expect(lines.filter((l) => l.includes(SECRET))).toEqual([]);
  });
  beforeEach(async () => {
    await resetTables(database().db);
    recorded.length = 0;
  });

  /** Sends a delivery as GitLab does: JSON, its event, its UUID and the secret token. */
  const deliver = (
    event: string,
    payload: object,
    options: { id?: string; token?: string | null; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${base}/gitlab/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitLab/18.6.0',
        'x-gitlab-event': event,
        'x-gitlab-event-uuid': options.id ?? randomUUID(),
        ...(options.token === null ? {} : { 'x-gitlab-token': options.token ?? SECRET }),
        ...options.headers,
      },
      body: JSON.stringify(payload),
    });

  it('records a delivery with the secret token before answering 202, and once however often it comes', async () => {
    const id = randomUUID();
    const payload = noteHook(WEB, { id: 1001, iid: 1, by: 'alice', body: '@aidev fix it' });
    const first = await deliver('Note Hook', payload, { id });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: 'recorded', delivery: id });
    const again = await deliver('Note Hook', payload, { id });
    expect(again.status).toBe(200);
    expect(recorded).toEqual([id]);
    expect(await database().store.webhookDeliveries.get('gitlab', id)).toMatchObject({
      source: 'gitlab',
      event: 'Note Hook',
      action: 'create',
      payload,
      handledAt: null,
    });
  });

  it('refuses a delivery without the token or with another one (401, not recorded)', async () => {
    const payload = pipelineHook(WEB, { id: 1, sha: 'a'.repeat(40), status: 'failed', iid: 1 });
    const missing = await deliver('Pipeline Hook', payload, { token: null });
    const wrong = await deliver('Pipeline Hook', payload, { token: 'guessed' });
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(((await wrong.json()) as { detail: string }).detail).toBe(
      "not a delivery from GitLab's webhook: X-Gitlab-Token is not GITLAB_WEBHOOK_SECRET",
    );
    expect(recorded).toEqual([]);
    expect(
      await database().store.webhookDeliveries.unhandled(new Date(Date.now() + 1000), {
        source: 'gitlab',
      }),
    ).toEqual([]);
  });

  it('says what is wrong with a delivery it cannot record', async () => {
    const noId = await fetch(`${base}/gitlab/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gitlab-event': 'Note Hook',
        'x-gitlab-token': SECRET,
      },
      body: '{}',
    });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { detail: string }).detail).toContain('X-Gitlab-Event-UUID');
    const form = await deliver(
      'Note Hook',
      {},
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect(form.status).toBe(415);
  });

  it('acts on a recorded delivery once: a note calling aidev is feedback for its merge request', async () => {
    const id = randomUUID();
    const payload = noteHook(WEB, {
      id: 1002,
      iid: 1,
      by: 'alice',
      body: '@aidev please add a test',
      line: { path: 'test/cart.test.ts', line: 29 },
    });
    expect((await deliver('Note Hook', payload, { id })).status).toBe(202);
    const given: { pullUrl: string; feedback: NewFeedback }[] = [];
    const loop = {
      addFeedback(pullUrl: string, feedback: NewFeedback | readonly NewFeedback[]) {
        given.push({ pullUrl, feedback: feedback as NewFeedback });
        return Promise.resolve<FeedbackOutcome>({ outcome: 'not_allowed', reason: 'test' });
      },
    };
    const options = {
      store: database().store,
      log: logger,
      settings: { maxFixRounds: 3, mentions: ['aidev'], allowedBots: [] },
      identity: () => Promise.resolve({ logins: ['aidev-bot'], mentions: ['aidev-bot'] }),
    };
    const outcome = await actOnForgeDelivery(options, loop, 'gitlab', id);
    expect(await actOnForgeDelivery(options, loop, 'gitlab', id)).toBe(outcome);
    expect(given).toHaveLength(1);
    expect(given[0]).toMatchObject({
      pullUrl: `${WEB}/acme/shop/-/merge_requests/1`,
      feedback: {
        sourceId: 'comment:1002',
        kind: 'comment',
        author: 'alice',
        origin: `gitlab:${id}`,
      },
    });
    expect((await database().store.webhookDeliveries.get('gitlab', id))?.handledAt).not.toBeNull();
  });
});
