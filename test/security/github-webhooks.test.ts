import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { githubWebhookRoutes } from '../../src/github/webhooks-http.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { serveWebhookRoutes } from './support/webhook-route-server.js';
import { githubSignature, webhookPayload } from '../vendors/github/webhook-payloads.js';

const SECRET = 'It’s a Secret to Everybody';

/** GitHub's examples predate `has_discussions`, which every repository object now carries. */
function reviewSubmitted(state: string): Record<string, unknown> {
  return webhookPayload('pull_request_review', 'submitted', (payload) => {
    const pr = payload.pull_request as { base: { repo: object }; head: { repo: object } };
    Object.assign(pr.base.repo, { has_discussions: false });
    Object.assign(pr.head.repo, { has_discussions: false });
    Object.assign(payload.review as object, { state });
  });
}

const serve = (
  secret: string | undefined,
  store: Parameters<typeof githubWebhookRoutes>[0]['store'],
) => serveWebhookRoutes((log) => githubWebhookRoutes({ store, secret, log }));

describeEachBackend('GitHub webhooks at /github/webhooks', (database) => {
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
  });

  /** Sends a delivery as GitHub does: the JSON body, its event, id and signature. */
  function deliver(
    event: string,
    payload: object,
    options: {
      id?: string;
      signature?: string | null;
      headers?: Record<string, string>;
      body?: string;
    } = {},
  ) {
    const body = options.body ?? JSON.stringify(payload);
    const signature =
      options.signature === undefined ? githubSignature(SECRET, body) : options.signature;
    return fetch(`${base}/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'GitHub-Hookshot/aidev-test',
        'x-github-event': event,
        'x-github-delivery': options.id ?? randomUUID(),
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
        ...options.headers,
      },
      body,
    });
  }

  it('records a signed delivery before answering, with its event, action and payload', async () => {
    const payload = reviewSubmitted('changes_requested');
    const id = randomUUID();
    const response = await deliver('pull_request_review', payload, { id });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'recorded', delivery: id });
    const recorded = await database().store.webhookDeliveries.get('github', id);
    expect(recorded).toMatchObject({
      event: 'pull_request_review',
      action: 'submitted',
      handledAt: null,
    });
    expect(recorded?.payload).toEqual(payload);
  });

  it('records a delivery whose text holds U+0000, which jsonb cannot store, with U+FFFD', async () => {
    const payload = webhookPayload('issue_comment', 'created', (p) => {
      Object.assign(p.comment as object, { body: 'before\u0000after' });
    });
    const id = randomUUID();
    expect((await deliver('issue_comment', payload, { id })).status).toBe(202);
    const recorded = await database().store.webhookDeliveries.get('github', id);
    expect((recorded?.payload.comment as { body: string }).body).toBe('before\uFFFDafter');
  });

  it('answers a redelivery of the same id but records it once, however many arrive at once', async () => {
    const payload = webhookPayload('issue_comment', 'created');
    const id = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => deliver('issue_comment', payload, { id })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    expect(
      await database().store.webhookDeliveries.unhandled(new Date(Date.now() + 60_000)),
    ).toHaveLength(1);
  });

  it('refuses forged deliveries with 401 and records nothing', async () => {
    const payload = webhookPayload('check_suite', 'completed');
    const body = JSON.stringify(payload);
    const forged = [
      await deliver('check_suite', payload, { signature: null }),
      await deliver('check_suite', payload, { signature: githubSignature('another secret', body) }),
      await deliver('check_suite', payload, {
        signature: githubSignature(SECRET, body),
        body: body.replace('"completed"', '"requested"'),
      }),
      await deliver('check_suite', payload, {
        signature: 'sha1=0123456789abcdef0123456789abcdef01234567',
      }),
    ];
    for (const response of forged) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toMatch(
        /^not a delivery signed by GitHub: /,
      );
    }
    expect(
      await database().store.webhookDeliveries.unhandled(new Date(Date.now() + 60_000)),
    ).toEqual([]);
    expect(logLines.join('\n')).not.toContain(SECRET);
  });

  it('says which header is wrong, and asks for JSON', async () => {
    const payload = webhookPayload('ping', undefined);
    const noId = await fetch(`${base}/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-hub-signature-256': githubSignature(SECRET, JSON.stringify(payload)),
      },
      body: JSON.stringify(payload),
    });
    expect(noId.status).toBe(400);
    expect(((await noId.json()) as { detail: string }).detail).toContain(
      'X-GitHub-Delivery: expected',
    );
    const form = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const formEncoded = await deliver('ping', payload, {
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(formEncoded.status).toBe(415);
    expect(((await formEncoded.json()) as { detail: string }).detail).toContain('application/json');
  });
});

describeEachBackend('GitHub webhooks without GITHUB_WEBHOOK_SECRET', (database) => {
  it('refuses every delivery with 503, saying what to set', async () => {
    const { server, base } = await serve(undefined, database().store);
    try {
      const payload = JSON.stringify(webhookPayload('ping', undefined));
      const response = await fetch(`${base}/github/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'ping',
          'x-github-delivery': randomUUID(),
          'x-hub-signature-256': githubSignature('', payload),
        },
        body: payload,
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toContain(
        'set GITHUB_WEBHOOK_SECRET',
      );
    } finally {
      await server.close();
    }
  });
});
