/**
 * Prompt caching: the development agent's real 10-turn conversation on the sample repository
 * (its prompts, repository context, tools and workspace), through the Anthropic adapter to the
 * local Anthropic server, which bills like Anthropic (cache writes, cache reads, the rest).
 * Run once as aidev sends it (cache marks on the tools, the repository context and the
 * conversation) and once with every mark removed. Goal: ≥ 60 % fewer billed input tokens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAnthropicProvider } from '../src/adapters/anthropic/anthropic-provider.js';
import { localGit } from '../src/adapters/local-git/local-git.js';
import { ensureSampleRepository } from '../src/demo/sample-project.js';
import { silentLogger } from '../src/log/create-logger.js';
import type { AiProvider, ModelRequest } from '../src/plugins/interfaces/ai-provider.js';
import { PluginRegistry } from '../src/plugins/plugin-registry.js';
import { RegistryActionRunner } from '../src/plugins/registry-action-runner.js';
import { Guards } from '../src/resilience/guards.js';
import { createStore } from '../src/store/store.js';
import { agentRun } from '../test/support/agent-call.js';
import { realAgents } from '../test/support/agents.js';
import {
  startAnthropicServer,
  type ScriptedReply,
} from '../test/vendors/anthropic/anthropic-server.js';
import { benchPglite } from './support/databases.js';
import { table } from './support/measure.js';

const BUG = '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice, 0);';
const FIX =
  '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);';
const EDITOR = 'str_replace_based_edit_tool';
const tool = (name: string, input: Record<string, unknown> = {}): ScriptedReply => ({
  content: [
    { type: 'text', text: `Next: ${name}.` },
    { type: 'tool_use', name, input },
  ],
});

/** Ten turns of a careful agent: look around, read, fix, test, finish. */
const TEN_TURNS: readonly ScriptedReply[] = [
  tool(EDITOR, { command: 'view', path: '.' }),
  tool(EDITOR, { command: 'view', path: 'src/cart.ts' }),
  tool(EDITOR, { command: 'view', path: 'test/cart.test.ts' }),
  tool('bash', { command: 'grep -rn orderTotal src test' }),
  tool(EDITOR, { command: 'view', path: 'src/money.ts' }),
  tool(EDITOR, { command: 'view', path: 'package.json' }),
  tool('bash', { command: 'npm test' }),
  tool(EDITOR, { command: 'str_replace', path: 'src/cart.ts', old_str: BUG, new_str: FIX }),
  tool('bash', { command: 'npm test' }),
  tool('finish', {
    pr_title: 'Charge quantities',
    pr_description: 'Fixes totals.',
    documentation: 'Totals count quantities.',
  }),
];

/** The same provider with every cache mark removed from what it sends. */
function withoutCaching(provider: AiProvider): AiProvider {
  const strip = (r: ModelRequest): ModelRequest => {
    const { cache: _, ...rest } = r;
    return { ...rest, system: r.system.map((s) => ({ text: s.text })) };
  };
  return {
    ...provider,
    complete: (r, o) => provider.complete(strip(r), o),
  };
}

interface Billed {
  input: number;
  writes: number;
  reads: number;
  usd: string;
}

async function conversation(cached: boolean): Promise<Billed> {
  const logger = silentLogger();
  const database = await benchPglite();
  const store = createStore(database.db);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-bench-caching-'));
  const server = await startAnthropicServer();
  try {
    await ensureSampleRepository(scratch, logger);
    const registry = new PluginRegistry({
      logger,
      store,
      guards: new Guards(logger),
      dataDir: scratch,
    });
    registry.register(localGit);
    registry.configure('version_control', 'local_git', {});
    await registry.connectAll();
    const claude = createAnthropicProvider({
      apiKey: server.apiKey,
      baseUrl: server.url,
      guard: new Guards(logger, { anthropic: { ratePerSecond: 1000, burst: 1000 } }).for(
        'anthropic',
        server.url,
      ),
      logger,
    });
    const { runner } = realAgents({
      provider: cached ? claude : withoutCaching(claude),
      store,
      actions: new RegistryActionRunner(registry),
      settings: { dataDir: scratch, maxTurns: 12 },
    });
    server.reply(...TEN_TURNS);
    const { run, call } = await agentRun(store, logger, {
      agent: 'development',
      step: 'implement',
    });
    await runner.run(
      call({
        mode: 'implement',
        task: {
          key: 'DEMO-1',
          title: 'Order total ignores item quantities',
          description: 'Two mugs cost as one.',
        },
        repository: 'sample-shop',
      }),
    );
    const entries = await store.costs.listForRun(run.id);
    if (entries.length !== 10) throw new Error(`expected 10 model calls, found ${entries.length}`);
    const sum = (f: (e: (typeof entries)[number]) => number) =>
      entries.reduce((n, e) => n + f(e), 0);
    return {
      input: sum((e) => e.inputTokens),
      writes: sum((e) => e.cacheWriteTokens + e.cacheWrite1hTokens),
      reads: sum((e) => e.cacheReadTokens),
      usd: (await store.costs.totalForRun(run.id)).replace(/0+$/, ''),
    };
  } finally {
    await server.close();
    await database.dispose();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Input billed, in input-token equivalents: writes cost 1.25×, reads 0.1× (5-minute cache). */
const billed = (b: Billed) => Math.round(b.input + 1.25 * b.writes + 0.1 * b.reads);

export async function run(): Promise<void> {
  const without = await conversation(false);
  const withCache = await conversation(true);
  const fewer = 1 - billed(withCache) / billed(without);
  console.log('\nprompt caching over the development agent’s 10-turn conversation (sample-shop)\n');
  console.log(
    table(
      [
        'cache marks',
        'uncached input',
        'cache writes',
        'cache reads',
        'billed input (equiv.)',
        'total cost',
      ],
      [
        [
          'none',
          String(without.input),
          String(without.writes),
          String(without.reads),
          String(billed(without)),
          `$${without.usd}`,
        ],
        [
          'aidev’s',
          String(withCache.input),
          String(withCache.writes),
          String(withCache.reads),
          String(billed(withCache)),
          `$${withCache.usd}`,
        ],
      ],
    ),
  );
  console.log(
    `\nbilled input tokens: ${(fewer * 100).toFixed(1)} % fewer with caching (goal ≥ 60 %)`,
  );
}
