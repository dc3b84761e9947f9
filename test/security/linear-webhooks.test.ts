import { randomUUID } from 'node:crypto';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINEAR_TIMESTAMP_TOLERANCE_MS } from '../../src/trackers/linear-webhooks.js';
import { linearWebhookRoutes } from '../../src/trackers/linear-webhooks.js';
import type { TrackerWebhookOptions } from '../../src/trackers/webhook-receiver.js';
import { describeEachBackend, resetTables } from '../support/backends.js';
import { serveWebhookRoutes } from './support/webhook-route-server.js';
import {
  commentCreated,
  issueCreated,
  issueLabelled,
  linearSignature,
} from '../vendors/linear/webhook-payloads.js';

const SECRET = 'lin_wh_It’s a Secret to Everybody';

const serve = (secret: string | undefined, store: TrackerWebhookOptions['store']) =>
  serveWebhookRoutes((log) => linearWebhookRoutes({ store, secret, log }));

describe('the Linear deliveries the tests send', () => {
  it("are signed as Linear's own SDK verifies them", () => {
    const body = JSON.stringify(issueLabelled());
    const client = new LinearWebhookClient(SECRET);
    expect(client.verify(Buffer.from(body), linearSignature(SECRET, body))).toBe(true);
    expect(() => client.verify(Buffer.from(body), linearSignature('another', body))).toThrow();
  });
});

describeEachBackend('Linear webhooks at /linear/webhooks', (database) => {
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
      source: 'linear',
    });

  /** Sends a delivery as Linear does: the JSON body, signed, with its id and event. */
  function deliver(
    payload: { type?: string; [field: string]: unknown },
    options: {
      id?: string | null;
      signature?: string | null;
      headers?: Record<string, string>;
      body?: string;
    } = {},
  ) {
    const body = options.body ?? JSON.stringify(payload);
    const signature =
      options.signature === undefined ? linearSignature(SECRET, body) : options.signature;
    const id = options.id === undefined ? randomUUID() : options.id;
    return fetch(`${base}/linear/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Linear-Webhook',
        'linear-event': payload.type ?? 'Issue',
        ...(id === null ? {} : { 'linear-delivery': id }),
        ...(signature === null ? {} : { 'linear-signature': signature }),
        ...options.headers,
      },
      body,
    });
  }

  const detail = async (response: Response) =>
    ((await response.json()) as { detail: string }).detail;

  it('records a signed delivery before answering 200 (what Linear counts as delivered)', async () => {
    const payload = issueLabelled();
    const id = randomUUID();
    const response = await deliver(payload, { id });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'recorded', delivery: id });
    const delivery = await database().store.webhookDeliveries.get('linear', id);
    expect(delivery).toMatchObject({ event: 'Issue', action: 'update', handledAt: null });
    expect(delivery?.payload).toEqual(payload);
    const commentId = randomUUID();
    expect((await deliver(commentCreated(), { id: commentId })).status).toBe(200);
    expect(await database().store.webhookDeliveries.get('linear', commentId)).toMatchObject({
      event: 'Comment',
      action: 'create',
    });
  });

  it('answers a redelivery of the same id but records it once, however many arrive at once', async () => {
    const payload = issueCreated();
    const id = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(payload, { id })));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 20 }, () => 200));
    const statuses = await Promise.all(
      answers.map(async (a) => ((await a.json()) as { status: string }).status),
    );
    expect(statuses.filter((status) => status === 'recorded')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'already recorded')).toHaveLength(19);
    expect(await recorded()).toHaveLength(1);
  });

  it('acts once on a signed body replayed under new Linear-Delivery ids (the header is not signed)', async () => {
    const body = JSON.stringify(issueLabelled());
    const first = randomUUID();
    expect(await (await deliver({}, { id: first, body })).json()).toEqual({
      status: 'recorded',
      delivery: first,
    });
    const replays = await Promise.all(
      Array.from({ length: 5 }, () => deliver({}, { id: randomUUID(), body })),
    );
    for (const replay of replays) {
      expect(replay.status).toBe(200);
      expect(((await replay.json()) as { status: string }).status).toBe('already recorded');
    }
    expect((await recorded()).map((d) => d.deliveryId)).toEqual([first]);
    // Linear's own retry of that event: a new webhookTimestamp, so a new body, under its id.
    const retry = { ...(JSON.parse(body) as object), webhookTimestamp: Date.now() + 1 };
    expect(await (await deliver(retry, { id: first })).json()).toEqual({
      status: 'already recorded',
      delivery: first,
    });
    expect(await recorded()).toHaveLength(1);
  });

  it('refuses forged deliveries with 401 and records nothing, logging no credential', async () => {
    const payload = issueLabelled();
    const body = JSON.stringify(payload);
    const forged = [
      await deliver(payload, { signature: null }),
      await deliver(payload, { signature: linearSignature('another secret', body) }),
      await deliver(payload, {
        signature: linearSignature(SECRET, body),
        body: body.replace('"update"', '"remove"'),
      }),
      await deliver(payload, { signature: `sha256=${linearSignature(SECRET, body)}` }),
      await deliver(payload, { signature: 'not hex at all' }),
    ];
    for (const response of forged) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await detail(response)).toMatch(/^not a delivery signed by Linear: /);
    }
    expect(await recorded()).toEqual([]);
    const log = logLines.join('\n');
    expect(log).toContain('refused a request to /linear/webhooks');
    for (const credential of [SECRET, linearSignature(SECRET, body)])
      expect(log).not.toContain(credential);
  });

  it('refuses a delivery whose webhookTimestamp is more than a minute off with 401', async () => {
    for (const off of [
      LINEAR_TIMESTAMP_TOLERANCE_MS + 5_000,
      -(LINEAR_TIMESTAMP_TOLERANCE_MS + 5_000),
    ]) {
      const response = await deliver({ ...issueLabelled(), webhookTimestamp: Date.now() - off });
      expect(response.status).toBe(401);
      expect(await detail(response)).toMatch(
        /^a stale delivery: its webhookTimestamp is \d+ s (ago|ahead)/,
      );
    }
    expect(await recorded()).toEqual([]);
    const recent = await deliver({ ...issueLabelled(), webhookTimestamp: Date.now() - 30_000 });
    expect(recent.status).toBe(200);
  });

  it('says which header or field is wrong, and asks for JSON', async () => {
    const noId = await deliver(issueLabelled(), { id: null });
    expect(noId.status).toBe(400);
    expect(await detail(noId)).toContain('Linear-Delivery: expected');
    const cases: [object | string, RegExp][] = [
      [
        { ...issueLabelled(), webhookTimestamp: undefined },
        /^webhookTimestamp: expected .*found none/,
      ],
      [{ ...issueLabelled(), webhookTimestamp: '1714478400000' }, /^webhookTimestamp: expected/],
      [{ ...issueLabelled(), type: 'Issue; DROP' }, /^type: expected/],
      ['{"type": "Issue",', /^the body is not JSON$/],
    ];
    for (const [payload, expected] of cases) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      const response = await deliver({}, { body });
      expect(response.status).toBe(400);
      expect(await detail(response)).toMatch(expected);
    }
    const form = `payload=${encodeURIComponent(JSON.stringify(issueLabelled()))}`;
    const formEncoded = await deliver(
      {},
      { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    );
    expect(formEncoded.status).toBe(415);
    expect(await detail(formEncoded)).toContain('application/json');
    expect(await recorded()).toEqual([]);
  });
});

describeEachBackend('Linear webhooks without LINEAR_WEBHOOK_SECRET', (database) => {
  it('refuses every delivery with 503, saying what to set', async () => {
    const { server, base } = await serve(undefined, database().store);
    try {
      const body = JSON.stringify(issueLabelled());
      const response = await fetch(`${base}/linear/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'linear-delivery': randomUUID(),
          'linear-signature': linearSignature('', body),
        },
        body,
      });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { detail: string }).detail).toContain(
        'set LINEAR_WEBHOOK_SECRET',
      );
    } finally {
      await server.close();
    }
  });
});
