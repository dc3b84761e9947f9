import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { describeEachBackend } from '../support/backends.js';
import {
  APPROVAL_WORKFLOW,
  startApi,
  stepsWorkflow,
  type ApiHarness,
} from './support/api-harness.js';

interface Message {
  version: number;
  type: string;
  run_id?: string | null;
  step?: string | null;
}

/** A WebSocket client that keeps every message it gets. */
class Client {
  readonly messages: Message[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) =>
      this.messages.push(JSON.parse(data.toString()) as Message),
    );
    this.closed = new Promise((resolve) => socket.on('close', (code) => resolve(code)));
  }

  static async connect(
    api: ApiHarness,
    auth: { header?: string; query?: string },
  ): Promise<Client> {
    const query = auth.query === undefined ? '' : `?token=${auth.query}`;
    const socket = new WebSocket(`${api.base.replace('http', 'ws')}/api/v1/events${query}`, {
      headers: auth.header === undefined ? {} : { authorization: `Bearer ${auth.header}` },
    });
    const client = new Client(socket);
    await client.next((m) => m.type === 'ready');
    return client;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Resolves with the first message (seen or to come) that matches. */
  async next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no matching message; got ${this.messages.map((m) => m.type).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** Progress updates of the chatty agent, each this big: far more than a stuck client may hold. */
const UPDATES = 2_000;
const UPDATE_BYTES = 8_000;
const CHATTY = `name: chatty
steps:
  - name: talk
    type: ai_action
    agent: planning
    inputs: { mode: plan, task: { key: T-1, title: Talk, description: A lot. } }
  - name: after
    plugin: communication
    action: send_message
    inputs: { channel: C-WS, message: done }
`;

let api: ApiHarness;

describeEachBackend('the event WebSocket', (database) => {
  beforeAll(async () => {
    api = await startApi({
      database: database(),
      // Heartbeats far apart: a client that stops reading is dropped for its unsent bytes
      // (the test below), not for the pings it no longer answers (see the heartbeat test).
      api: { events: { maxBufferedBytes: 256 * 1024, heartbeatMs: 60_000 } },
    });
    api.workflow('steps', stepsWorkflow(3));
    api.workflow('gated', APPROVAL_WORKFLOW);
    api.workflow('chatty', CHATTY);
    api.agents.on('talk', async (call) => {
      for (let i = 0; i < UPDATES; i++) {
        call.progress(i / UPDATES, `${i} ${'x'.repeat(UPDATE_BYTES)}`);
        // An agent reports as it works, not all at once: a reading client keeps up.
        if (i % 20 === 19) await sleep(1);
      }
      return { said: UPDATES };
    });
  });
  afterAll(async () => {
    await api.stop();
  });

  it('sends a run’s events to a client subscribed to every run, in order, versioned', async () => {
    const client = await Client.connect(api, { header: api.tokens.viewer });
    client.send({ type: 'subscribe' });
    await client.next((m) => m.type === 'subscribed');
    const { body } = await api.call<{ id: string }>('POST', '/runs', {
      token: api.tokens.operator,
      body: { workflow: 'steps', inputs: { task_key: 'WS-1' } },
    });
    await client.next((m) => m.type === 'run.succeeded' && m.run_id === body.id);
    const events = client.messages.filter((m) => m.run_id === body.id);
    expect(events.every((m) => m.version === 1)).toBe(true);
    expect(events.map((m) => (m.step == null ? m.type : `${m.type} ${m.step}`))).toEqual([
      'run.started',
      'step.started step_1',
      'step.succeeded step_1',
      'step.started step_2',
      'step.succeeded step_2',
      'step.started step_3',
      'step.succeeded step_3',
      'run.succeeded',
    ]);
    client.socket.close();
  });

  it('sends one run’s events only to a client subscribed to it, with the token in the query', async () => {
    const { body: run } = await api.call<{ id: string }>('POST', '/runs', {
      body: { workflow: 'gated', inputs: { task_key: 'WS-2' } },
    });
    await api.waitFor(run.id, ['waiting']);
    const client = await Client.connect(api, { query: api.tokens.viewer });
    client.send({ type: 'subscribe', run_id: run.id });
    await client.next((m) => m.type === 'subscribed' && m.run_id === run.id);
    const { body: other } = await api.call<{ id: string }>('POST', '/runs', {
      body: { workflow: 'steps', inputs: { task_key: 'WS-3' } },
    });
    await api.call('POST', `/runs/${run.id}/approval`, { body: { decision: 'approve' } });
    await client.next((m) => m.type === 'run.succeeded');
    await api.waitFor(other.id, ['succeeded']);
    const events = client.messages.filter((m) => m.type.includes('.'));
    expect(events.every((m) => m.run_id === run.id)).toBe(true);
    expect(events.map((m) => `${m.type} ${m.step ?? ''}`.trim())).toEqual([
      'approval.decided approve_plan',
      'run.resumed',
      'step.started announce',
      'step.succeeded announce',
      'run.succeeded',
    ]);
    client.send({ type: 'subscribe', run_id: '00000000-0000-4000-8000-000000000000' });
    client.send({ type: 'listen' });
    await client.next((m) => m.type === 'error' && JSON.stringify(m).includes('no run'));
    await client.next((m) => m.type === 'error' && JSON.stringify(m).includes('expected'));
    client.socket.close();
  });

  it('refuses a connection without a valid token before upgrading', async () => {
    for (const token of [undefined, 'aidev_wrong']) {
      const socket = new WebSocket(`${api.base.replace('http', 'ws')}/api/v1/events`, {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
      const status = await new Promise<number>((resolve) =>
        socket.on('unexpected-response', (request, response) => {
          request.destroy();
          resolve(response.statusCode ?? 0);
        }),
      );
      expect(status).toBe(401);
    }
  });

  it('sends heartbeats, and drops a client that stops answering pings', async () => {
    // Its own server, pinging every 300 ms (it starts no run, so its worker takes none).
    const pinging = await startApi({
      database: database(),
      api: { events: { heartbeatMs: 300 } },
    });
    try {
      const live = await Client.connect(pinging, { header: pinging.tokens.viewer });
      const silent = await Client.connect(pinging, { header: pinging.tokens.viewer });
      silent.socket.pause();
      await live.next((m) => m.type === 'heartbeat');
      await expect
        .poll(() => pinging.logLines.some((l) => l.includes('did not answer the last ping')), {
          timeout: 10_000,
        })
        .toBe(true);
      silent.socket.resume();
      await silent.closed;
      expect(live.socket.readyState).toBe(WebSocket.OPEN);
      live.socket.close();
    } finally {
      await pinging.stop();
    }
  });

  it('disconnects a client that stops reading, while the run goes on at full speed', async () => {
    const timed = async () => {
      const started = Date.now();
      const { body } = await api.call<{ id: string }>('POST', '/runs', {
        body: { workflow: 'chatty' },
      });
      await api.waitFor(body.id, ['succeeded']);
      return { id: body.id, ms: Date.now() - started };
    };
    const alone = await timed();
    const reader = await Client.connect(api, { header: api.tokens.viewer });
    const stuck = await Client.connect(api, { header: api.tokens.viewer });
    for (const client of [reader, stuck]) {
      client.send({ type: 'subscribe' });
      await client.next((m) => m.type === 'subscribed');
    }
    stuck.socket.pause();
    const watched = await timed();
    await expect
      .poll(() => api.logLines.some((l) => l.includes('it is too slow')), { timeout: 10_000 })
      .toBe(true);
    await reader.next((m) => m.type === 'run.succeeded' && m.run_id === watched.id);
    const updates = reader.messages.filter(
      (m) => m.type === 'agent.status_update' && m.run_id === watched.id,
    );
    expect(updates.length).toBeGreaterThanOrEqual(UPDATES);
    stuck.socket.resume();
    await stuck.closed;
    console.log(
      `chatty run: ${alone.ms} ms alone, ${watched.ms} ms with a reader and a stuck client`,
    );
    // "At full speed" is that the run ended while the stuck client was still paused: a server
    // that waited on a client's socket would never have ended it (the test would time out). How
    // long it took against the run alone is printed, not compared: on a busy machine a
    // garbage collection can triple a 200 ms run.
    reader.socket.close();
  });
});
