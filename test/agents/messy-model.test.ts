import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AgentSettings } from '../../src/agents/agent-context.js';
import type { ContextPolicy } from '../../src/agents/context-window.js';
import type { AgentCall } from '../../src/engine/runners.js';
import { git } from '../../src/git/git.js';
import { RegistryActionRunner } from '../../src/plugins/registry-action-runner.js';
import { anthropicProvider } from '../ai/anthropic/anthropic-setup.js';
import { connectLocalPlugins } from '../plugins/local/local-plugins.js';
import { agentRun } from '../support/agent-call.js';
import { realAgents } from '../support/agents.js';
import { describeEachBackend, type TestDatabase } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { createMessyRepository, MESSY } from '../support/messy-repository.js';
import { asksForSummary, MESSY_SUMMARY, messySession } from '../support/messy-session.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { promptUnits } from '../vendors/anthropic/prompt-cache.js';

/**
 * The development agent against a model that behaves like a real one on a real repository: it
 * looks for a folder that is not there, reads a directory as a file, reads a 2 MB file twice,
 * gets the whitespace of an edit wrong, runs a command with 5 MB of output and one that never
 * ends, talks for a turn without a tool, wanders for sixty turns — and then fixes the bug. Every
 * mistake must come back to it as something it can act on, the context must stay within the
 * window, and the commit must carry only the fix.
 */
const { logger } = capturingLogger({ level: 'warn' });
/** The window of the test's model: small, so that sixty turns of reading would overflow it. */
const WINDOW = 20_000;
const MANAGED: ContextPolicy = {
  windowTokens: WINDOW,
  compactAt: 0.7,
  keepObservations: 8,
  maxObservationChars: 24_000,
};

let scratch: string;
let server: AnthropicServer;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-messy-'));
  await createMessyRepository(scratch);
  server = await startAnthropicServer({ contextWindow: WINDOW });
}, 120_000);
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Events {
  tools: { turn: number; tool: string; output: string; is_error: boolean }[];
  compactions: number;
}

async function runSession(database: TestDatabase, context: ContextPolicy | undefined) {
  server.reset();
  server.contextWindow = context === undefined ? 10 * WINDOW : WINDOW;
  server.reply(...messySession());
  server.answerWhen(asksForSummary, () => ({
    content: [{ type: 'text', text: MESSY_SUMMARY }],
  }));
  const dataDir = scratch;
  const { registry } = await connectLocalPlugins({ store: database.store, dataDir, logger });
  const actions = new RegistryActionRunner(registry);
  const { run, call } = await agentRun(database.store, logger, {
    agent: 'development',
    step: 'implement',
  });
  const events: Events = { tools: [], compactions: 0 };
  const settings: Partial<AgentSettings> = {
    dataDir,
    maxTurns: 80,
    commandTimeoutMs: 3_000,
    ...(context === undefined ? {} : { context }),
  };
  const { provider } = anthropicProvider(server, logger, { guard: { retries: 0 } });
  const agent = realAgents({ provider, store: database.store, actions, settings }).runner;
  const recorded: AgentCall = {
    ...call({
      mode: 'implement',
      task: { key: 'MESSY-1', title: 'Totals ignore quantities', description: 'Count them.' },
      repository: MESSY.name,
    }),
    record: (event) => {
      if (event.type === 'agent.tool') events.tools.push(event.data as Events['tools'][number]);
      if (event.type === 'agent.context' && event.data?.compacted === true) events.compactions++;
      return Promise.resolve();
    },
  };
  const largest = () =>
    Math.max(
      ...server
        .messageBodies()
        .map((body) => promptUnits(body).reduce((sum, unit) => sum + unit.tokens, 0)),
    );
  return { run, actions, events, dataDir, largest, result: agent.run(recorded) };
}

describeEachBackend(
  'the development agent with a messy model on a 3,000-file repository',
  (database) => {
    it('turns every mistake into feedback, stays within the window and commits only the fix', async () => {
      const session = await runSession(database(), MANAGED);
      const { implementation } = (await session.result) as {
        implementation: {
          patch: { base: string; diff_base64: string };
          changed_files: { path: string; status: string }[];
          tests: { passed: boolean };
          turns: number;
        };
      };
      const byTurn = (turn: number) => session.events.tools.find((t) => t.turn === turn);
      // Each mistake came back as something to act on, and the step went on.
      expect(byTurn(1)).toMatchObject({
        is_error: true,
        output: expect.stringContaining('lib') as string,
      });
      expect(byTurn(2)?.output).toMatch(/Is a directory[\s\S]*\[exit code 1\]/);
      expect(byTurn(3)?.output).toMatch(/view_range/);
      expect(byTurn(5)?.output).toContain('./src/order.js:1:');
      expect(byTurn(6)).toMatchObject({
        is_error: true,
        output: expect.stringContaining(
          'the file indents with tabs, old_str with spaces',
        ) as string,
      });
      expect(byTurn(7)?.output).toMatch(/omitted/);
      expect(byTurn(7)?.output.length).toBeLessThan(70_000);
      expect(byTurn(8)).toMatchObject({
        is_error: true,
        output: expect.stringContaining('[stopped after 3 s') as string,
      });
      expect(implementation.turns).toBeGreaterThanOrEqual(60);
      expect(implementation.tests.passed).toBe(true);
      expect(implementation.changed_files).toEqual([{ status: 'modified', path: 'src/order.js' }]);
      // The window held: the conversation was summarized instead of overflowing it.
      expect(session.events.compactions).toBeGreaterThanOrEqual(1);
      expect(session.largest()).toBeLessThanOrEqual(WINDOW);
      console.log(
        `largest request with context management: ${session.largest()} tokens, ${session.events.compactions} compaction(s)`,
      );

      // The commit changes only the fixed file; modes, links and bytes of the rest are as they were.
      const repo = path.join(session.dataDir, 'repos', MESSY.name);
      const branch = `aidev/MESSY-${session.run.id.slice(0, 8)}`;
      await git(['branch', branch, 'main'], { cwd: repo });
      await session.actions.run({
        run: { id: session.run.id, workflow: 'agent-test', channelId: null, userId: null },
        step: 'commit',
        attempt: 1,
        idempotencyKey: `${session.run.id}:commit`,
        signal: new AbortController().signal,
        log: logger,
        plugin: 'version_control',
        action: 'commit_changes',
        input: {
          repository: MESSY.name,
          branch,
          message: 'MESSY-1: Count quantities in order totals',
          patch: implementation.patch,
        },
      });
      expect(await git(['diff', '--name-only', 'main', branch], { cwd: repo })).toBe(
        'src/order.js\n',
      );
      const tree = async (ref: string) =>
        git(['ls-tree', '-r', ref, '--', 'scripts', 'docs', 'assets', 'data'], { cwd: repo });
      expect(await tree(branch)).toBe(await tree('main'));
      expect(await tree('main')).toMatch(/^100755 blob \w+\tscripts\/release\.sh$/m);
      expect(await tree('main')).toMatch(/^120000 blob \w+\tdocs\/latest\.md$/m);
      expect(await git(['show', `${branch}:src/order.js`], { cwd: repo })).toContain(MESSY.fix);
    }, 300_000);

    it('without context management the same session outgrows the window', async () => {
      const session = await runSession(database(), undefined);
      await session.result;
      console.log(`largest request without context management: ${session.largest()} tokens`);
      expect(session.largest()).toBeGreaterThan(WINDOW);
    }, 300_000);
  },
);
