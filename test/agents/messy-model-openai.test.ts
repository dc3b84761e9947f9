import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ContextPolicy } from '../../src/agents/context-window.js';
import type { AgentCall } from '../../src/engine/runners.js';
import { ProviderRouter } from '../../src/app/provider-router.js';
import { PriceTable } from '../../src/costs/price-table.js';
import { formatUsd } from '../../src/costs/money.js';
import { RegistryActionRunner } from '../../src/plugins/registry-action-runner.js';
import { openAiProvider } from '../ai/openai/openai-setup.js';
import { connectLocalPlugins } from '../plugins/local/local-plugins.js';
import { agentRun } from '../support/agent-call.js';
import { realAgents } from '../support/agents.js';
import { describeEachBackend, type TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { createMessyRepository } from '../support/messy-repository.js';
import {
  asksForSummary,
  EDITOR,
  MESSY_SUMMARY,
  messyEnd,
  messyStart,
  messyWandering,
} from '../support/messy-session.js';
import { promptTokens } from '../vendors/openai/automatic-cache.js';
import { startOpenAiServer, type OpenAiServer } from '../vendors/openai/openai-server.js';

/**
 * The messy model (see messy-model.test.ts) through OpenAI: the same development agent, the
 * real `openai` SDK against the local OpenAI server, which validates every request against
 * OpenAI's published description. Beside the usual mistakes this model also writes a tool
 * call whose arguments are broken JSON. The model is named `openai:gpt-5`, as a channel or
 * `ai.model` would name it, and each call is recorded as OpenAI's at its reported usage.
 */
const { logger } = capturingLogger({ level: 'warn' });
const WINDOW = 20_000;
const MANAGED: ContextPolicy = {
  windowTokens: WINDOW,
  compactAt: 0.7,
  keepObservations: 8,
  maxObservationChars: 24_000,
};

let scratch: string;
let server: OpenAiServer;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-messy-openai-'));
  await createMessyRepository(scratch);
  server = await startOpenAiServer({ contextWindow: WINDOW });
}, 120_000);
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

type ToolEvent = { turn: number; tool: string; output: string; is_error: boolean };

async function runSession(database: TestDatabase) {
  server.reset();
  server.contextWindow = WINDOW;
  server.reply(
    ...messyStart(),
    // Turn 10: arguments cut off in the middle, as a model sometimes writes them.
    {
      content: [
        { type: 'broken_call', name: EDITOR, arguments: '{"command": "view", "path": "src/or' },
      ],
    },
    ...messyWandering(),
    ...messyEnd(),
  );
  server.answerWhen(asksForSummary, () => ({ content: [{ type: 'text', text: MESSY_SUMMARY }] }));
  const { registry } = await connectLocalPlugins({
    store: database.store,
    dataDir: scratch,
    logger,
  });
  const actions = new RegistryActionRunner(registry);
  const { run, call } = await agentRun(database.store, logger, {
    agent: 'development',
    step: 'implement',
  });
  const { provider: gpt, guards } = openAiProvider(server, logger, { guard: { retries: 0 } });
  const provider = new ProviderRouter({
    configured: { openai: gpt },
    preferred: 'openai',
    fallback: gpt,
  });
  const agent = realAgents({
    provider,
    store: database.store,
    actions,
    settings: {
      dataDir: scratch,
      maxTurns: 80,
      commandTimeoutMs: 3_000,
      context: MANAGED,
      model: 'openai:gpt-5',
    },
  }).runner;
  const tools: ToolEvent[] = [];
  let compactions = 0;
  const recorded: AgentCall = {
    ...call({
      mode: 'implement',
      task: { key: 'MESSY-1', title: 'Totals ignore quantities', description: 'Count them.' },
      repository: 'messy-shop',
    }),
    record: (event) => {
      if (event.type === 'agent.tool') tools.push(event.data as ToolEvent);
      if (event.type === 'agent.context' && event.data?.compacted === true) compactions++;
      return Promise.resolve();
    },
  };
  try {
    const result = (await agent.run(recorded)) as {
      implementation: { changed_files: unknown[]; tests: { passed: boolean }; turns: number };
    };
    return { run, result, tools, compactions };
  } finally {
    guards.shutdown();
  }
}

describeEachBackend('the development agent with a messy model through OpenAI', (database) => {
  it('turns every mistake into feedback, stays within the window, and records OpenAI’s usage exactly', async () => {
    const session = await runSession(database());
    const { implementation } = session.result;
    const byTurn = (turn: number) => session.tools.find((t) => t.turn === turn);
    expect(byTurn(1)).toMatchObject({
      is_error: true,
      output: expect.stringContaining('lib') as string,
    });
    expect(byTurn(2)?.output).toMatch(/Is a directory[\s\S]*\[exit code 1\]/);
    expect(byTurn(6)).toMatchObject({
      is_error: true,
      output: expect.stringContaining('the file indents with tabs, old_str with spaces') as string,
    });
    expect(byTurn(8)).toMatchObject({
      is_error: true,
      output: expect.stringContaining('[stopped after 3 s') as string,
    });
    // The broken arguments came back to the model as a refusal it can read, not a failed step.
    expect(byTurn(10)).toMatchObject({
      is_error: true,
      output: expect.stringMatching(
        /^this call was not run: its input could not be read \(the arguments are not valid JSON/,
      ) as string,
    });
    expect(implementation.turns).toBeGreaterThanOrEqual(60);
    expect(implementation.tests.passed).toBe(true);
    expect(implementation.changed_files).toEqual([{ status: 'modified', path: 'src/order.js' }]);
    expect(session.compactions).toBeGreaterThanOrEqual(1);
    const bodies = server.completionBodies();
    const largest = Math.max(...bodies.map(promptTokens));
    expect(largest).toBeLessThanOrEqual(WINDOW);

    // Every request the SDK sent was valid by OpenAI's description, and was for gpt-5.
    expect(server.violations).toEqual([]);
    expect(new Set(bodies.map((b) => b.model))).toEqual(new Set(['gpt-5']));
    const entries = await database().store.costs.listForRun(session.run.id);
    expect(entries).toHaveLength(bodies.length);
    const prices = new PriceTable();
    for (const entry of entries) {
      expect(entry).toMatchObject({
        provider: 'openai',
        model: 'gpt-5-2025-08-07',
        cacheWriteTokens: 0,
      });
      expect(entry.usd).toBe(formatUsd(prices.cost(entry.model, entry)));
    }
    const cached = entries.reduce((sum, e) => sum + e.cacheReadTokens, 0);
    expect(cached).toBeGreaterThan(0);
    console.log(
      `OpenAI messy session: ${server.count('createChatCompletion')} completion requests validated, 0 violations; largest prompt ${largest} tokens; ${cached} cached input tokens; ${session.compactions} compaction(s)`,
    );
  }, 300_000);
});
