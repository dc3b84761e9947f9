import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureSampleRepository } from '../../src/demo/sample-project.js';
import { git } from '../../src/git/git.js';
import type { AiAgentRunner } from '../../src/agents/agent-runner.js';
import { anthropicProvider } from '../ai/anthropic/anthropic-setup.js';
import { agentRun } from '../support/agent-call.js';
import { realAgents } from '../support/agents.js';
import { startAgentWorld, type AgentWorld } from '../support/agent-world.js';
import type { TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import type { AnthropicServer } from '../vendors/anthropic/anthropic-server.js';

const { logger } = capturingLogger({ level: 'warn' });
const TASK = {
  key: 'SHOP-1',
  title: 'Charge quantities',
  description: 'Totals ignore quantities.',
};
const PLAN = {
  summary: 'Multiply unit price by quantity in orderTotal.',
  steps: [{ title: 'Fix the sum', detail: 'unitPrice * quantity' }],
  files: [{ path: 'src/cart.ts', change: 'modify', why: 'the sum' }],
  risks: ['Discounted totals change'],
  test_plan: ['the quantity test'],
  complexity: 'small',
};

let world: AgentWorld;
let database: TestDatabase;
let server: AnthropicServer;
let agents: AiAgentRunner;

beforeAll(async () => {
  world = await startAgentWorld('planning', logger);
  ({ database, server } = world);
  const { provider } = anthropicProvider(server, logger);
  agents = realAgents({ provider, store: database.store, actions: world.actions }).runner;
});
afterAll(() => world.close());
beforeEach(() => world.reset());

const submit = (name: string, input: Record<string, unknown>) => ({
  content: [{ type: 'tool_use' as const, name, input }],
});
type Body = {
  messages: { content: { type: string; text?: string; content?: string; is_error?: boolean }[] }[];
};
const bodies = () => server.messageBodies() as unknown as Body[];

describe('the planning agent', () => {
  it('revises a rejected plan with the reviewer’s feedback in front of the model', async () => {
    const { call } = await agentRun(database.store, logger, { agent: 'planning', step: 'plan' });
    server.reply(
      submit('submit_plan', {
        ...PLAN,
        summary: 'Multiply by quantity, and test discounts on several units.',
      }),
    );
    const revised = (await agents.run(
      call({
        mode: 'plan',
        task: TASK,
        previous_plan: { ...PLAN, revision: 0 },
        feedback: 'Also cover discounts on several units.',
      }),
    )) as { plan: Record<string, unknown> };
    const asked = bodies()[0]?.messages[0]?.content[0]?.text ?? '';
    expect(asked).toContain('The reviewer rejected this plan:');
    expect(asked).toContain('Multiply unit price by quantity in orderTotal.');
    expect(asked).toContain('Their feedback:\nAlso cover discounts on several units.');
    expect(revised.plan).toMatchObject({
      summary: 'Multiply by quantity, and test discounts on several units.',
      revision: 1,
      estimated_cost_usd: expect.stringMatching(/^\$\d+\.\d+$/) as string,
      text: expect.stringContaining('*Steps*\n1. Fix the sum — unitPrice * quantity') as string,
    });
  });

  it('sends a plan that does not fit the schema back to the model, which corrects it', async () => {
    const { call } = await agentRun(database.store, logger, { agent: 'planning', step: 'plan' });
    server.reply(
      submit('submit_plan', { ...PLAN, complexity: 'tiny', steps: [] }),
      submit('submit_plan', PLAN),
    );
    const planned = (await agents.run(call({ mode: 'plan', task: TASK }))) as {
      plan: { summary: string };
    };
    expect(planned.plan.summary).toBe(PLAN.summary);
    const refusal = bodies()[1]?.messages.at(-1)?.content[0];
    expect(refusal).toMatchObject({ is_error: true });
    expect(refusal?.content).toMatch(
      /^submit_plan: the input does not fit: steps: .*; complexity: /,
    );
  });

  it('creates an approved breakdown in the tracker once, however often the step runs', async () => {
    const { call } = await agentRun(database.store, logger, {
      agent: 'planning',
      step: 'create_in_tracker',
    });
    const breakdown = {
      summary: 'Checkout',
      epics: [
        {
          title: 'Cart',
          description: 'The cart',
          tasks: [
            { title: 'Totals', description: 'Sum lines', story_points: 3 },
            { title: 'Discounts', description: 'Apply codes' },
          ],
        },
        {
          title: 'Payment',
          description: 'Pay',
          tasks: [{ title: 'Cards', description: 'Take cards' }],
        },
      ],
    };
    const first = await agents.run(call({ mode: 'create', breakdown, project: 'SHOP' }));
    const again = await agents.run(call({ mode: 'create', breakdown, project: 'SHOP' }, 2));
    expect(again).toEqual(first);
    expect(first).toMatchObject({ created: { summary: '2 epics and 3 tasks: SHOP-1, SHOP-4' } });
    const tasks = await database.store.tasks.list({ source: 'local', limit: 50 });
    expect(tasks.map((t) => [t.key, t.issueType, t.parentKey])).toEqual(
      expect.arrayContaining([
        ['SHOP-1', 'epic', null],
        ['SHOP-2', 'task', 'SHOP-1'],
        ['SHOP-5', 'task', 'SHOP-4'],
      ]),
    );
    expect(tasks).toHaveLength(5);
    expect(tasks.find((t) => t.key === 'SHOP-2')?.description).toBe(
      'Sum lines\n\nEstimate: 3 story points',
    );
  });

  it('reads the repository with read-only tools before it plans, under its instructions', async () => {
    const repo = await ensureSampleRepository(world.scratch, logger);
    await writeFile(path.join(repo, 'AGENTS.md'), 'Money is in integer cents. Plans name tests.\n');
    await git(['add', 'AGENTS.md'], { cwd: repo });
    await git(['commit', '--quiet', '-m', 'Agent instructions'], { cwd: repo });
    const { provider } = anthropicProvider(server, logger);
    const reader = realAgents({
      provider,
      store: database.store,
      actions: world.actions,
      settings: { dataDir: world.scratch },
    }).runner;
    const { run, call } = await agentRun(database.store, logger, {
      agent: 'planning',
      step: 'plan',
    });
    server.reply(
      submit('str_replace_based_edit_tool', { command: 'view', path: 'src/cart.ts' }),
      submit('bash', { command: 'grep -rn quantity src && touch src/planted.ts' }),
      submit('str_replace_based_edit_tool', {
        command: 'create',
        path: 'src/planted.ts',
        file_text: 'x',
      }),
      submit('submit_plan', PLAN),
    );
    const planned = (await reader.run(
      call({ mode: 'plan', task: TASK, repository: 'sample-shop' }),
    )) as { plan: Record<string, unknown> };
    expect(planned.plan).toMatchObject({ summary: PLAN.summary });
    const result = (turn: number) => bodies()[turn]?.messages.at(-1)?.content.at(-1);
    expect(result(1)?.content).toContain('export function orderTotal');
    expect(result(2)?.content).toMatch(/src\/cart\.ts:\d+:.*quantity[\s\S]*Read-only file system/);
    expect(result(3)).toMatchObject({
      is_error: true,
      content: expect.stringContaining('create refused: the planning agent only reads') as string,
    });
    const system = JSON.stringify((server.messageBodies()[0] as { system: unknown }).system);
    expect(system).toContain('Money is in integer cents. Plans name tests.');
    expect(system).toContain('AGENTS.md');
    // Nothing of the reading is left behind.
    expect(await readdir(path.join(world.scratch, 'workspaces', run.id))).toEqual([]);
  });

  it('names the agent’s modes when a step asks for one it does not have, and the fields it needs', async () => {
    const { call } = await agentRun(database.store, logger, { agent: 'planning', step: 'plan' });
    await expect(agents.run(call({ mode: 'dream' }))).rejects.toThrow(
      'the planning agent has no mode "dream"; its modes are plan, breakdown, create',
    );
    await expect(agents.run(call({ mode: 'plan' }))).rejects.toThrow(
      /^inputs of the planning agent: task: /,
    );
  });
});
