import { hostname } from 'node:os';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../../src/engine/engine.js';
import { describeEachBackend, resetTables, type TestDatabase } from '../../support/backends.js';
import { waitForRun } from '../../support/engine-processes.js';
import { tracedWorkers, type TracedWorkers } from '../../support/traced-workers.js';
import type { AnthropicServer, ScriptedReply } from '../../vendors/anthropic/anthropic-server.js';
import type { ReceivedSpan } from '../../vendors/otlp/otlp-model.js';
import type { OtlpReceiver } from '../../vendors/otlp/otlp-receiver.js';
import { renderTrace } from '../../vendors/otlp/render-trace.js';

/**
 * One trace per run across processes (#20): the run is created in one process (its trace made
 * then), its steps run by two `aidev worker` processes (the first is stopped in the middle of
 * the agent step and hands it over), every span exported over OTLP/HTTP to a local receiver
 * that decodes what it gets. The spans of both workers are one trace.
 */
const EDITOR = 'str_replace_based_edit_tool';
const TASK_TEXT = 'Say hello world to everyone who reads it.';

const WORKFLOW = `name: traced
steps:
  - name: prepare
    type: set
    set: { ready: true }
  - name: implement
    type: ai_action
    agent: development
    inputs:
      mode: implement
      repository: shop
      task: { key: SHOP-1, title: Greet the world, description: ${TASK_TEXT} }
      analysis: { test_command: null, relevant_files: [{ path: greeting.txt }], summary: One file. }
    outputs: { implementation: implementation }
`;

const tool = (name: string, input: Record<string, unknown>): ScriptedReply => ({
  content: [{ type: 'tool_use', name, input }],
});
const turnOf = (body: unknown): number =>
  ((body as { messages: unknown[] }).messages.length + 1) / 2;

describeEachBackend('a run traced across two workers', (database) => {
  let t: TestDatabase;
  let world: TracedWorkers;
  let engine: Engine;
  let anthropic: AnthropicServer;
  let receiver: OtlpReceiver;
  let releaseHeld: () => void = () => undefined;

  beforeAll(async () => {
    t = database();
    world = await tracedWorkers(t, { traced: WORKFLOW });
    ({ engine, anthropic, receiver } = world);
  }, 120_000);
  afterEach(async () => {
    releaseHeld();
    await world.killWorkers();
    anthropic.reset();
    receiver.reset();
  });
  afterAll(() => world.close());

  it('one trace id across both workers: spans per step, model call and vendor call', async () => {
    await resetTables(t.db);
    // Each turn's answer by its number, so that a turn asked again (after a handover) gets the
    // same one; the third is held, the first time, until the worker asking it is stopped.
    let arrived: () => void = () => undefined;
    const thirdTurn = new Promise<void>((resolve) => (arrived = resolve));
    let held = false;
    anthropic
      .answerWhen(
        (body) => turnOf(body) === 1,
        () => tool(EDITOR, { command: 'view', path: 'greeting.txt' }),
      )
      .answerWhen(
        (body) => turnOf(body) === 2,
        () =>
          tool(EDITOR, {
            command: 'str_replace',
            path: 'greeting.txt',
            old_str: 'hello',
            new_str: 'hello world',
          }),
      )
      .answerWhen(
        (body) => turnOf(body) === 3 && !held,
        () => {
          held = true;
          arrived();
          return new Promise<ScriptedReply>((resolve) => {
            releaseHeld = () => resolve({ content: [{ type: 'text', text: 'too late' }] });
          });
        },
      )
      .answerWhen(
        (body) => turnOf(body) >= 3,
        () =>
          tool('finish', { pr_title: 'Greet', pr_description: 'Says hi.', documentation: 'G.' }),
      );
    const pair = await world.start(2);
    const { run } = await engine.startRun({ workflow: 'traced', trigger: 'api' });
    expect(run.traceContext).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, runSpanId] = (run.traceContext ?? '').split('-');

    await thirdTurn;
    const running = (await t.store.steps.listForRun(run.id)).find(
      (s) => s.stepName === 'implement',
    );
    const victim = pair.find((w) => running?.worker === `${hostname()}:${w.child.pid}`);
    const survivor = pair.find((w) => w !== victim);
    if (victim === undefined || survivor === undefined)
      throw new Error(`the step runs on ${running?.worker ?? 'no worker'}, not on a test worker`);
    victim.child.kill('SIGTERM');
    await victim.next('stopped');
    const done = await waitForRun(t, run.id, ['succeeded', 'failed', 'cancelled'], 60_000);
    expect(
      done.status,
      `${JSON.stringify(done.error)} turns ${JSON.stringify(anthropic.messageBodies().map(turnOf))}`,
    ).toBe('succeeded');
    // A graceful stop sends what the worker still holds: the survivor's spans, the run's root.
    survivor.child.kill('SIGTERM');
    await survivor.next('stopped');
    await receiver.waitFor(() => receiver.spans.some((s) => s.name === 'run traced'), 'run span');

    const spans = receiver.spans;
    console.info(renderTrace(spans));
    const victimName = `${hostname()}:${victim.child.pid}`;
    const survivorName = `${hostname()}:${survivor.child.pid}`;
    const from = (span: ReceivedSpan) => span.resource['service.instance.id'];
    const named = (name: string) => spans.filter((s) => s.name === name);

    // 1. One trace: every span the receiver got, from both workers.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(new Set(spans.map(from))).toEqual(new Set([victimName, survivorName]));

    // 2. The run's root span, under the id its traceparent gave when it was created.
    const [root] = named('run traced');
    expect(root).toMatchObject({ spanId: runSpanId, parentSpanId: '' });
    expect(root?.attributes).toMatchObject({
      'aidev.run.id': run.id,
      'aidev.run.outcome': 'succeeded',
    });

    // 3. A span per step execution, children of the run: the agent step twice, handed over.
    const steps = spans.filter((s) => s.name.startsWith('step '));
    for (const step of steps) expect(step.parentSpanId).toBe(runSpanId);
    const implement = named('step implement');
    // Handed over by the stopped worker, finished once. (With the embedded database, which
    // one of the workers hosts, more executions may be cut short while the other takes it over:
    // handed over, or still under way when their worker stopped and sent as interrupted.)
    const outcomes = implement.map((s) => [
      from(s),
      s.attributes['aidev.interrupted'] === true
        ? 'interrupted'
        : s.attributes['aidev.step.outcome'],
    ]);
    expect(outcomes).toContainEqual([victimName, 'handed_over']);
    expect(outcomes.filter(([, o]) => o === 'succeeded')).toEqual([[survivorName, 'succeeded']]);
    expect(
      outcomes.filter(([, o]) => !['succeeded', 'handed_over', 'interrupted'].includes(String(o))),
    ).toEqual([]);
    expect(named('step prepare')).toHaveLength(1);

    // 4. Model calls inside the step of their worker; a vendor call inside each model call.
    const models = spans.filter((s) => s.name.startsWith('chat '));
    const calls = named('anthropic messages.create');
    expect(models.length).toBe(anthropic.messageBodies().length);
    for (const model of models) {
      const step = implement.find((s) => s.spanId === model.parentSpanId);
      expect(step && from(step)).toBe(from(model));
      expect(calls.filter((c) => c.parentSpanId === model.spanId)).toHaveLength(1);
    }
    const paid = models.filter((m) => m.status !== 2);
    expect(paid.length).toBeGreaterThanOrEqual(3);
    for (const model of paid) {
      const input = ['input_tokens', 'cache_read.input_tokens', 'cache_creation.input_tokens'].map(
        (name) => Number(model.attributes[`gen_ai.usage.${name}`]),
      );
      expect(input.reduce((a, b) => a + b)).toBeGreaterThan(0);
      expect(model.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(model.attributes['aidev.cost.usd']).toBeGreaterThan(0);
    }
    for (const call of calls)
      expect(call.attributes).toMatchObject({
        'aidev.vendor.service': 'anthropic',
        'server.address': new URL(anthropic.url).host,
      });
    // The call cut short by the stop is a failed span of the victim's, and asked again.
    expect(models.filter((m) => m.status === 2).map(from)).toContain(victimName);

    // 5. A span per tool call, in the step of its worker, with how it ended (never its input).
    const toolCalls = spans.filter((s) => s.name.startsWith('execute_tool '));
    expect(toolCalls.map((s) => s.attributes['gen_ai.tool.name'])).toEqual(
      expect.arrayContaining([EDITOR, 'finish']),
    );
    for (const call of toolCalls) {
      const step = implement.find((s) => s.spanId === call.parentSpanId);
      expect(step && from(step)).toBe(from(call));
    }
    expect(
      toolCalls
        .filter((s) => s.attributes['gen_ai.tool.name'] === 'finish')
        .map((s) => [from(s), s.attributes['aidev.tool.outcome']]),
    ).toEqual([[survivorName, 'finish']]);

    // 6. No prompt or answer text, and no credential, in anything the receiver got.
    const everything = JSON.stringify(spans, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    expect(everything).not.toContain(TASK_TEXT);
    expect(everything).not.toContain('hello world');
    expect(everything).not.toContain(anthropic.apiKey);
    expect(everything).not.toContain('otlp-secret-5678');
    expect(receiver.requests.every((r) => r.headers['x-otlp-key'] === 'otlp-secret-5678')).toBe(
      true,
    );

    // 6. Metrics from both workers: the tokens and cost the survivor's calls were paid for.
    const tokens = receiver.metrics.filter((m) => m.name === 'aidev.model.tokens');
    expect(new Set(tokens.map((m) => m.resource['service.instance.id']))).toEqual(
      new Set([victimName, survivorName]),
    );
  }, 120_000);
});
