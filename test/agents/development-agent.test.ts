import { createServer as createHttpServer } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentSettings } from '../../src/agents/agent-context.js';
import type { AiAgentRunner } from '../../src/agents/agent-runner.js';
import { ensureSampleRepository } from '../../src/demo/sample-project.js';
import { DEFAULT_SANDBOX_POLICY } from '../../src/sandbox/sandbox-policy.js';
import { anthropicProvider } from '../ai/anthropic/anthropic-setup.js';
import { agentRun } from '../support/agent-call.js';
import { realAgents } from '../support/agents.js';
import { startAgentWorld, type AgentWorld } from '../support/agent-world.js';
import type { TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { apiErrorFault } from '../vendors/anthropic/anthropic-json.js';
import type { AnthropicServer } from '../vendors/anthropic/anthropic-server.js';

const { logger } = capturingLogger({ level: 'warn' });
const BUG = '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice, 0);';
const FIX =
  '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);';
const TASK = {
  key: 'SHOP-1',
  title: 'Charge quantities',
  description: 'Totals ignore quantities.',
};

let world: AgentWorld;
let database: TestDatabase;
let server: AnthropicServer;
let agents: (settings?: Partial<AgentSettings>) => AiAgentRunner;

beforeAll(async () => {
  world = await startAgentWorld('dev-agent', logger);
  ({ database, server } = world);
  await ensureSampleRepository(world.scratch, logger);
  agents = (settings = {}) => {
    // No retries: a failed model call ends the attempt, as a crash would.
    const { provider } = anthropicProvider(server, logger, { guard: { retries: 0 } });
    return realAgents({
      provider,
      store: database.store,
      actions: world.actions,
      settings: { dataDir: world.scratch, ...settings },
    }).runner;
  };
});
afterAll(() => world.close());
beforeEach(() => world.reset());

const implement = { mode: 'implement', task: TASK, repository: 'sample-shop' };
const tool = (name: string, input: Record<string, unknown> = {}) => ({
  content: [{ type: 'tool_use' as const, name, input }],
});
const edit = (oldStr: string, newStr: string) =>
  tool('str_replace_based_edit_tool', {
    command: 'str_replace',
    path: 'src/cart.ts',
    old_str: oldStr,
    new_str: newStr,
  });
const finish = tool('finish', {
  pr_title: 'Charge quantities',
  pr_description: 'Multiplies by quantity.',
  documentation: 'Totals count quantities.',
});
type Body = {
  messages: { role: string; content: { type: string; content?: string; is_error?: boolean }[] }[];
};
const bodies = () => server.messageBodies() as unknown as Body[];
const lastResult = (body: Body | undefined) => body?.messages.at(-1)?.content.at(-1);

describe('the development agent', () => {
  it('resumes its conversation after an interrupted attempt: earlier turns are neither asked nor paid again', async () => {
    const { run, call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    server.reply(tool('bash', { command: 'npm test' }), edit(BUG, FIX));
    let creates = 0;
    server.inject({
      ...apiErrorFault(1),
      when: (r) => r.operationId === 'messages/create' && ++creates === 3,
    });
    await expect(agents().run(call(implement, 1))).rejects.toMatchObject({
      code: 'unavailable',
      retryable: true,
    });
    expect(server.count('messages/create')).toBe(3);
    expect((await database.store.agentSessions.get(`${run.id}:implement`))?.turns).toBe(2);

    server.reply(tool('bash', { command: 'git diff --stat' }), finish);
    const result = (await agents().run(call(implement, 2))) as {
      implementation: Record<string, unknown>;
    };
    // Turn 3 is asked again (it failed), with the whole history of turns 1 and 2; nothing else.
    expect(server.count('messages/create')).toBe(5);
    expect(bodies()[3]?.messages).toHaveLength(5);
    // The same prefix as the conversation began with, though the working copy holds the edit now
    // (the repository context is built from its files): the cache and the recording still match.
    const prefix = (i: number) => {
      const body = server.messageBodies()[i] as { system: unknown; tools: unknown };
      return JSON.stringify([body.system, body.tools]);
    };
    expect(prefix(3)).toBe(prefix(0));
    expect(result.implementation).toMatchObject({
      changed_files: [{ status: 'modified', path: 'src/cart.ts' }],
      tests: { passed: true },
      turns: 4,
    });
    const patch = (result.implementation.patch as { diff_base64: string }).diff_base64;
    expect(Buffer.from(patch, 'base64').toString('utf8')).toContain(`+${FIX}`);
    expect(await database.store.costs.listForRun(run.id)).toHaveLength(4);
  });

  it('finish runs the tests itself: it refuses an empty change and failing tests, with their output', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    const WRONG = BUG.replace('item.unitPrice,', 'item.unitPrice * 2,');
    server.reply(finish, edit(BUG, WRONG), finish, edit(WRONG, FIX), finish);
    const result = (await agents().run(call(implement))) as {
      implementation: { pr_description: string; draft: boolean };
    };
    expect(lastResult(bodies()[1])).toMatchObject({
      is_error: true,
      content: expect.stringContaining('nothing is changed in the working copy yet') as string,
    });
    expect(lastResult(bodies()[3])).toMatchObject({
      is_error: true,
      content: expect.stringMatching(
        /^Not finished: npm test failed \(exit code 1\)[\s\S]*# fail/,
      ) as string,
    });
    expect(result.implementation.pr_description).toContain(
      "Tests: `npm test` passed in aidev's sandbox.",
    );
    expect(result.implementation.draft).toBe(false);
  });

  it('proposes a draft when the agent explains why the tests it cannot fix fail', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    const WRONG = BUG.replace('item.unitPrice,', 'item.unitPrice * 2,');
    server.reply(
      edit(BUG, WRONG),
      tool('finish', {
        pr_title: 'Charge quantities',
        pr_description: 'Multiplies.',
        documentation: 'Totals.',
        failing_tests_reason: 'the quantity test needs a fixture I cannot add',
      }),
    );
    const result = (await agents().run(call(implement))) as {
      implementation: { pr_description: string; draft: boolean; tests: { passed: boolean } };
    };
    expect(result.implementation).toMatchObject({ draft: true, tests: { passed: false } });
    expect(result.implementation.pr_description).toContain(
      "The agent's explanation: the quantity test needs a fixture I cannot add",
    );
  });

  it('gives refusals back to the model to correct: a path outside the repository, an edit that does not match', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    server.reply(
      tool('str_replace_based_edit_tool', { command: 'view', path: '../../../etc/passwd' }),
      edit('no such text', 'x'),
      edit(BUG, FIX),
      finish,
    );
    await agents().run(call(implement));
    expect(lastResult(bodies()[1])).toMatchObject({
      is_error: true,
      content: expect.stringContaining('outside the repository') as string,
    });
    expect(lastResult(bodies()[2])).toMatchObject({
      is_error: true,
      content: expect.stringContaining('old_str is not in src/cart.ts') as string,
    });
  });

  it('stops at its turn limit with an error that says which setting to raise, and starts afresh next time', async () => {
    const { run, call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    server.reply(tool('bash', { command: 'ls' }), tool('bash', { command: 'ls' }));
    await expect(agents({ maxTurns: 2 }).run(call(implement))).rejects.toMatchObject({
      code: 'agent_turn_limit',
      message:
        'the agent used its 2 model turns without finishing; raise ai.max_turns or narrow the task',
    });
    expect(await database.store.agentSessions.get(`${run.id}:implement`)).toBeNull();
  });

  it('sets up the working copy with ai.setup_command, through the registry proxy, before the first model call', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    // Stands in for a package registry: the setup command must reach it; the tests could not.
    const callsWhenReached: number[] = [];
    const registry = createHttpServer((_request, response) => {
      callsWhenReached.push(server.count('messages/create'));
      response.end('left-pad');
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    const { port } = registry.address() as { port: number };
    const fetch = `curl -sSf -p http://registry.test:${port}/left-pad`;
    server.reply(edit(BUG, FIX), finish);
    try {
      const result = (await agents({
        setupCommand: `${fetch} && mkdir -p node_modules/.installed && echo ok > node_modules/.installed/stamp`,
        sandboxPolicy: { ...DEFAULT_SANDBOX_POLICY, setupHosts: ['registry.test'] },
        sandboxProxy: {
          ports: [port],
          resolve: () => Promise.resolve(['127.0.0.1']),
          addressAllowed: (address) => address === '127.0.0.1',
        },
      }).run(call(implement))) as { implementation: { changed_files: { path: string }[] } };
      expect(callsWhenReached).toEqual([0]);
      // What the setup installed is not part of the change.
      expect(result.implementation.changed_files.map((c) => c.path)).toEqual(['src/cart.ts']);
    } finally {
      registry.close();
    }
  });

  it('stops before any model call when the setup command fails, with its output and the setting', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'development',
      step: 'implement',
    });
    const failing = agents({
      setupCommand:
        'echo "npm error 404 Not Found - GET https://registry.example/left-padd" >&2; exit 1',
    });
    await expect(failing.run(call(implement))).rejects.toMatchObject({
      code: 'setup_failed',
      retryable: true,
      message: expect.stringMatching(
        /^the setup command `echo .*` \(ai\.setup_command\) failed with exit code 1 in the working copy; fix it or the repository and retry:\nnpm error 404 Not Found/,
      ) as string,
    });
    expect(server.count()).toBe(0);
  });
});
