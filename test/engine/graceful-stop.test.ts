import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import { describeEachBackend, resetTables, type TestDatabase } from '../support/backends.js';
import { childEnv, JsonLineProcess, REPO_ROOT, WITH_WORKERS } from '../support/child-process.js';
import { controllingEngine, waitForRun } from '../support/engine-processes.js';
import { setupGit } from '../support/setup-git.js';
import {
  startAnthropicServer,
  type AnthropicServer,
  type ScriptedReply,
} from '../vendors/anthropic/anthropic-server.js';
import { anthropicErrorBody } from '../vendors/anthropic/anthropic-json.js';

/**
 * A worker asked to stop (SIGTERM: a deploy, `docker stop`) in the middle of an agent step hands
 * the step over instead of failing it: another worker resumes the agent's saved conversation and
 * work, and only the model turn that was cut short is asked again.
 */
const APP_WORKER = path.join(REPO_ROOT, 'test/fixtures/app-worker.ts');
const EDITOR = 'str_replace_based_edit_tool';

const WORKFLOW = `name: agent-step
steps:
  - name: implement
    type: ai_action
    agent: development
    inputs:
      mode: implement
      repository: shop
      task: { key: SHOP-1, title: Greet the world, description: Say hello world. }
      analysis: { test_command: null, relevant_files: [{ path: greeting.txt }], summary: One file. }
    outputs: { implementation: implementation }
`;

const SHOP_WORKFLOW = `name: shop-step
steps:
  - name: implement
    type: ai_action
    agent: development
    inputs:
      mode: implement
      repository: sample
      task: { key: SHOP-2, title: Charge quantities, description: Multiply by quantity. }
      analysis: { test_command: npm test, relevant_files: [{ path: src/cart.ts }], summary: A shop. }
    outputs: { implementation: implementation }
`;
const BUG = '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice, 0);';
const FIX =
  '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);';

const tool = (name: string, input: Record<string, unknown>): ScriptedReply => ({
  content: [{ type: 'tool_use', name, input }],
});

/** The Messages requests of the conversation's n-th turn (1, 3, 5… messages). */
const turnOf = (body: unknown): number =>
  ((body as { messages: unknown[] }).messages.length + 1) / 2;

describeEachBackend('a worker stopped gracefully in the middle of an agent step', (database) => {
  let t: TestDatabase;
  let engine: Engine;
  let server: AnthropicServer;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const workers: JsonLineProcess[] = [];
  /** Lets the held model request answer, so that the server can close. */
  let releaseHeld: () => void = () => undefined;

  beforeAll(async () => {
    t = database();
    const root = await mkdtemp(path.join(inject('scratchDir'), 'stop-'));
    dataDir = t.env.AIDEV_DATA_DIR ?? path.join(root, 'data');
    const repo = path.join(dataDir, 'repos', 'shop');
    await mkdir(repo, { recursive: true });
    await writeFile(path.join(repo, 'greeting.txt'), 'hello\n');
    setupGit(repo, 'init', '--quiet', '--initial-branch=main');
    setupGit(repo, 'add', '--all');
    setupGit(repo, 'commit', '--quiet', '-m', 'greeting');
    await cp(
      path.join(REPO_ROOT, 'demo/sample-repository'),
      path.join(dataDir, 'repos', 'sample'),
      {
        recursive: true,
      },
    );
    const sample = path.join(dataDir, 'repos', 'sample');
    setupGit(sample, 'init', '--quiet', '--initial-branch=main');
    setupGit(sample, 'add', '--all');
    setupGit(sample, 'commit', '--quiet', '-m', 'shop');
    const workflows = path.join(root, 'workflows');
    await mkdir(workflows);
    await writeFile(path.join(workflows, 'agent-step.yaml'), WORKFLOW);
    await writeFile(path.join(workflows, 'shop-step.yaml'), SHOP_WORKFLOW);
    const configFile = path.join(root, 'aidev.config.yaml');
    await writeFile(
      configFile,
      [
        'jobs:',
        // Ample for a loaded machine: the workers' lock renewals go through PGlite in this busy
        // test process, and a renewal late by 2 s handed the step over a second time (or cut a
        // model turn short and spent its scripted answer). The handover here is asked for.
        '  lock_lifetime: 10s',
        '  poll_interval: 100ms',
        '  drain_timeout: 300ms',
        `workflows:\n  directory: ${workflows}`,
      ].join('\n'),
    );
    server = await startAnthropicServer();
    env = childEnv({
      ...t.env,
      AIDEV_DATA_DIR: dataDir,
      AIDEV_CONFIG: configFile,
      ANTHROPIC_API_KEY: server.apiKey,
      ANTHROPIC_BASE_URL: server.url,
    });
    engine = await controllingEngine(t, workflows);
  }, 120_000);
  afterEach(async () => {
    releaseHeld();
    await Promise.all(workers.splice(0).map((w) => w.kill()));
    server.reset();
  });
  afterAll(async () => {
    await server.close();
  });

  /**
   * Two workers; a run of `workflow` whose third model turn is still being answered when the
   * worker running it is sent SIGTERM (the answer never comes to that worker).
   */
  async function stopDuringThirdTurn(workflow: string) {
    let arrived: () => void = () => undefined;
    const thirdTurn = new Promise<void>((resolve) => (arrived = resolve));
    let held = false;
    server.answerWhen(
      (body) => turnOf(body) === 3 && !held,
      () => {
        held = true;
        arrived();
        return new Promise<ScriptedReply>((resolve) => {
          releaseHeld = () => resolve({ content: [{ type: 'text', text: 'too late' }] });
        });
      },
    );
    const pair = [0, 1].map(() => new JsonLineProcess(APP_WORKER, [], env));
    workers.push(...pair);
    await Promise.all(pair.map((w) => w.next('ready')));
    const { run } = await engine.startRun({ workflow, trigger: 'api' });
    await thirdTurn;
    const running = (await t.store.steps.listForRun(run.id))[0];
    const victim = pair.find((w) => running?.worker === `${hostname()}:${w.child.pid}`);
    const survivor = pair.find((w) => w !== victim);
    if (victim === undefined || survivor === undefined)
      throw new Error(`the step runs on ${running?.worker ?? 'no worker'}, not on a test worker`);
    victim.child.kill('SIGTERM');
    return { run, victim, survivor };
  }

  it(
    'hands the step over: the other worker resumes the conversation and pays only for the cut turn',
    WITH_WORKERS,
    async () => {
      await resetTables(t.db);
      server.reply(
        tool(EDITOR, { command: 'view', path: 'greeting.txt' }),
        tool(EDITOR, {
          command: 'str_replace',
          path: 'greeting.txt',
          old_str: 'hello',
          new_str: 'hello world',
        }),
        tool('finish', {
          pr_title: 'Greet the world',
          pr_description: 'Says hello world.',
          documentation: 'Greets.',
        }),
      );
      const { run, victim, survivor } = await stopDuringThirdTurn('agent-step');
      expect(await victim.next('stopped')).toBeDefined();
      expect(await victim.exited()).toBe(0);

      const done = await waitForRun(t, run.id, ['succeeded', 'failed', 'cancelled'], 60_000);
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      const [step] = await t.store.steps.listForRun(run.id);
      expect(step).toMatchObject({ status: 'succeeded', failures: 0, handovers: 1 });
      expect(step?.worker).toBe(`${hostname()}:${survivor.child.pid}`);
      expect(step?.outputs).toMatchObject({
        implementation: { changed_files: [{ status: 'modified', path: 'greeting.txt' }] },
      });

      // Turns 1 and 2 were asked once; only the turn that was cut short was asked again.
      const turns = server.messageBodies().map(turnOf);
      expect(turns).toEqual([1, 2, 3, 3]);
      const events = await t.store.events.listForRun(run.id);
      expect(events.map((e) => e.type)).not.toContain('step.failed');
      expect(events.map((e) => e.type)).toContain('run.resumed');
      // The stopping worker logged no error (nothing failed, the pool was not used after its end).
      expect(victim.stderr.join('\n')).not.toMatch(/"level":(50|60)/);
      expect(existsSync(path.join(dataDir, 'workspaces', run.id))).toBe(false);
    },
  );

  it(
    'resumes on the other worker with the change so far: the tests there see the edit',
    WITH_WORKERS,
    async () => {
      await resetTables(t.db);
      server.reply(
        tool('bash', { command: 'npm test' }),
        tool(EDITOR, { command: 'str_replace', path: 'src/cart.ts', old_str: BUG, new_str: FIX }),
        tool('bash', { command: 'npm test 2>&1 | grep -E "^# (pass|fail)"' }),
        tool('finish', {
          pr_title: 'Charge quantities',
          pr_description: 'Quantities.',
          documentation: 'Q.',
        }),
      );
      const { run, victim } = await stopDuringThirdTurn('shop-step');
      await victim.exited();
      const done = await waitForRun(t, run.id, ['succeeded', 'failed', 'cancelled'], 90_000);
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      const bodies = server.messageBodies() as {
        messages: { content: { content?: unknown }[] }[];
      }[];
      expect(bodies.map(turnOf)).toEqual([1, 2, 3, 3, 4]);
      // Turn 4 carries what the tests said on the resumed working copy: the edit is there.
      expect(JSON.stringify(bodies[4]?.messages.at(-1)?.content)).toContain('# fail 0');
    },
  );

  it('a run that fails leaves no working copy behind', WITH_WORKERS, async () => {
    await resetTables(t.db);
    server.reply(tool(EDITOR, { command: 'view', path: 'greeting.txt' }));
    // The second turn is refused for good (a 400 is not retried): the step and the run fail.
    server.inject({
      when: (r) => r.operationId === 'messages/create' && turnOf(r.body) === 2,
      status: 400,
      body: anthropicErrorBody(400, 'messages: the conversation is malformed'),
    });
    const worker = new JsonLineProcess(APP_WORKER, [], env);
    workers.push(worker);
    await worker.next('ready');
    const { run } = await engine.startRun({ workflow: 'agent-step', trigger: 'api' });
    const done = await waitForRun(t, run.id, ['succeeded', 'failed', 'cancelled'], 60_000);
    expect(done.error).toMatchObject({ step: 'implement' });
    expect(server.messageBodies().map(turnOf)).toEqual([1, 2]);
    expect(existsSync(path.join(dataDir, 'workspaces', run.id))).toBe(false);
    const failed = (await t.store.events.listForRun(run.id)).filter(
      (e) => e.type === 'step.failed',
    );
    expect(failed).toHaveLength(1);
  });
});
