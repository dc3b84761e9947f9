import path from 'node:path';
import type { AgentSettings } from '../../src/agents/agent-context.js';
import { AgentPrompts } from '../../src/agents/agent-prompts.js';
import { AiAgentRunner } from '../../src/agents/agent-runner.js';
import { MeteredProvider } from '../../src/costs/metered-provider.js';
import { PriceTable } from '../../src/costs/price-table.js';
import type { ActionRunner } from '../../src/engine/runners.js';
import type { AiProvider } from '../../src/plugins/interfaces/ai-provider.js';
import type { Store } from '../../src/store/store.js';
import { REPO_ROOT } from './child-process.js';
import { ScriptedActions } from './scripted-runners.js';

/** A model the price table knows and the local Anthropic server serves. */
export const AGENT_MODEL = 'claude-sonnet-5-5';

export const TEST_AGENT_SETTINGS: AgentSettings = {
  model: AGENT_MODEL,
  maxOutputTokens: 1_024,
  maxTurns: 12,
  contextTokens: 8_000,
  testTimeoutMs: 60_000,
  sandbox: 'bubblewrap',
  toolPath: [path.join(REPO_ROOT, 'node_modules', '.bin')],
  dataDir: path.join(REPO_ROOT, '.aidev-test'),
};

/** The real agents on `provider`, metered against `store`'s budgets, as the app wires them. */
export function realAgents(options: {
  provider: AiProvider;
  store: Store;
  actions?: ActionRunner;
  settings?: Partial<AgentSettings>;
  /** The budget a run gets when it has none (default: no limit). */
  runBudget?: () => string | undefined;
}): { runner: AiAgentRunner; model: MeteredProvider } {
  const model = new MeteredProvider({
    provider: options.provider,
    store: options.store,
    prices: new PriceTable(),
    runBudget: () => Promise.resolve(options.runBudget?.()),
  });
  const runner = new AiAgentRunner({
    model,
    actions: options.actions ?? new ScriptedActions(),
    prompts: AgentPrompts.load(path.join(REPO_ROOT, 'prompts')),
    settings: { ...TEST_AGENT_SETTINGS, ...options.settings },
    store: options.store,
    baseDir: REPO_ROOT,
  });
  return { runner, model };
}
