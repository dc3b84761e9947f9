import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bashTool } from '../../../src/agents/tools/bash-tool.js';
import { TEXT_EDITOR_NAME, textEditorTool } from '../../../src/agents/tools/text-editor-tool.js';
import { PriceTable } from '../../../src/costs/price-table.js';
import type { AiProvider, ToolUseBlock } from '../../../src/plugins/interfaces/ai-provider.js';
import type { Guards } from '../../../src/resilience/guards.js';
import { Workspace } from '../../../src/sandbox/workspace.js';
import { capturingLogger } from '../../support/logger.js';
import { startOpenAiServer, type OpenAiServer } from '../../vendors/openai/openai-server.js';
import { agentSystem, callOptions, TOOLS, userText } from '../anthropic/anthropic-setup.js';
import { GPT, gptRequest, openAiProvider } from './openai-setup.js';

const { logger, lines } = capturingLogger();
let server: OpenAiServer;
let provider: AiProvider;
let guards: Guards;
const call = () => callOptions(logger);

beforeAll(async () => {
  server = await startOpenAiServer();
  ({ provider, guards } = openAiProvider(server, logger));
});
beforeEach(() => {
  server.reset();
  lines.length = 0;
});
afterEach(() => {
  // Any request the real API would refuse, or any answer it would not give, fails the test.
  expect(server.violations).toEqual([]);
});
afterAll(async () => {
  guards.shutdown();
  await server.close();
});

type Body = Record<string, unknown> & { messages: Record<string, unknown>[] };
const lastBody = () => server.completionBodies().at(-1) as Body;

describe('openai provider: requests and answers', () => {
  it('sends a tool-use round trip in the Chat Completions shape and maps the tool call back', async () => {
    server.reply({
      content: [{ type: 'tool_use', name: 'read_file', input: { path: 'README.md' } }],
    });
    const first = await provider.complete(
      gptRequest({ tools: TOOLS, messages: [userText('What does the README say?')] }),
      call(),
    );
    expect(first.stopReason).toBe('tool_use');
    // OpenAI answers with the dated snapshot of the alias asked for.
    expect(first.model).toBe('gpt-5-2025-08-07');
    const use = first.content[0] as ToolUseBlock;
    expect(use).toEqual({
      type: 'tool_use',
      id: expect.stringMatching(/^call_[0-9A-Za-z]{24}$/) as string,
      name: 'read_file',
      input: { path: 'README.md' },
    });

    server.reply({ content: [{ type: 'text', text: 'It says hello.' }] });
    const second = await provider.complete(
      gptRequest({
        tools: TOOLS,
        messages: [
          userText('What does the README say?'),
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              { type: 'tool_result', toolUseId: use.id, content: 'no such file', isError: true },
              { type: 'text', text: 'Try again.' },
            ],
          },
        ],
      }),
      call(),
    );
    expect(second).toMatchObject({
      stopReason: 'end_turn',
      content: [{ type: 'text', text: 'It says hello.' }],
    });

    expect(lastBody()).toEqual({
      model: GPT,
      max_completion_tokens: 1024,
      tools: TOOLS.map((t) => ({
        type: 'function',
        function: { name: t.name, description: t.description, parameters: t.inputSchema },
      })),
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'What does the README say?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: use.id,
              type: 'function',
              function: { name: 'read_file', arguments: '{"path":"README.md"}' },
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: use.id,
          content: '[the tool reported an error]\nno such file',
        },
        { role: 'user', content: 'Try again.' },
      ],
    });
    const headers = server.requests[0]?.headers ?? {};
    expect(headers.authorization).toBe(`Bearer ${server.apiKey}`);
    // The guard retries; the SDK never does.
    expect(headers['x-stainless-retry-count']).toBe('0');
  });

  it('sends the agent’s bash and text editor tools as function tools with their schemas', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'aidev-openai-tools-'));
    try {
      await writeFile(path.join(root, 'README.md'), '# Shop\n');
      const workspace = await Workspace.open(root);
      const editor = textEditorTool({ workspace });
      const bash = bashTool({ workspace, sandbox: 'bubblewrap', logger }).definition;
      const input = { command: 'view', path: 'README.md' };
      server.reply({ content: [{ type: 'tool_use', name: TEXT_EDITOR_NAME, input }] });
      const ask = userText('What does the README say?');
      const first = await provider.complete(
        gptRequest({ tools: [bash, editor.definition], messages: [ask] }),
        call(),
      );
      const use = first.content[0] as ToolUseBlock;
      expect(use).toMatchObject({ type: 'tool_use', name: TEXT_EDITOR_NAME, input });
      const outcome = await editor.run(use.input);
      expect(outcome.content).toContain('# Shop');
      const tools = lastBody().tools as { function: Record<string, unknown> }[];
      expect(tools.map((t) => t.function.name)).toEqual(['bash', TEXT_EDITOR_NAME]);
      expect(tools[0]?.function.parameters).toEqual({ ...bash.inputSchema, type: 'object' });
      expect(tools[1]?.function.parameters).toMatchObject({
        type: 'object',
        properties: { command: expect.anything() as unknown, path: expect.anything() as unknown },
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports cached input tokens apart, and prices them at the cached rate', async () => {
    const ask = (question: string) =>
      gptRequest({ system: agentSystem(false), messages: [userText(question)] });
    const first = await provider.complete(ask('What is in the repository?'), call());
    expect(first.usage.cacheReadTokens).toBe(0);
    const second = await provider.complete(ask('And what are its tests?'), call());
    const [, body] = server.completionBodies();
    expect(body).toBeDefined();
    // The shared system text (4,500 tokens) is read from the cache, in steps of 128 tokens.
    expect(second.usage.cacheReadTokens).toBeGreaterThanOrEqual(4_096);
    expect(second.usage.cacheReadTokens % 128).toBe(0);
    expect(second.usage.cacheWriteTokens).toBe(0);
    const reported = server.requests.at(-1);
    expect(reported?.status).toBe(200);

    const prices = new PriceTable();
    const { inputTokens, cacheReadTokens, outputTokens } = second.usage;
    // gpt-5: $1.25 input, $0.125 cached input, $10 output per million tokens.
    const expected =
      BigInt(inputTokens) * 12_500n +
      BigInt(cacheReadTokens) * 1_250n +
      BigInt(outputTokens) * 100_000n;
    expect(prices.cost(second.model, second.usage)).toBe(expected);
  });

  it('maps finish reasons: length, content_filter, and tool calls a gateway calls a stop', async () => {
    server.reply(
      { content: [{ type: 'text', text: 'The answer is' }], finishReason: 'length' },
      {
        content: [{ type: 'text', text: 'I cannot help with that.' }],
        finishReason: 'content_filter',
      },
      {
        content: [{ type: 'tool_use', name: 'run_tests', input: {} }],
        finishReason: 'stop',
      },
    );
    const reasons = [];
    for (let i = 0; i < 3; i++)
      reasons.push((await provider.complete(gptRequest({ tools: TOOLS }), call())).stopReason);
    expect(reasons).toEqual(['max_tokens', 'refusal', 'tool_use']);
  });

  it('hands on a call whose arguments are not JSON with the problem, for the model to correct', async () => {
    server.reply({
      content: [{ type: 'broken_call', name: 'read_file', arguments: '{"path": "README.md' }],
    });
    const answer = await provider.complete(gptRequest({ tools: TOOLS }), call());
    expect(answer.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^call_/) as string,
        name: 'read_file',
        input: {},
        inputError: expect.stringMatching(
          /^the arguments are not valid JSON: Unterminated string/,
        ) as string,
      },
    ]);
    expect(lines.some((l) => l.includes('called read_file with unreadable arguments'))).toBe(true);
  });

  it('refuses an answer without usage: its cost could not be recorded', async () => {
    server.reply({ content: [{ type: 'text', text: 'Hi.' }], usage: 'omit' });
    await expect(provider.complete(gptRequest(), call())).rejects.toMatchObject({
      name: 'VendorError',
      code: 'invalid_response',
      retryable: false,
      message: expect.stringContaining('has no usage') as string,
    });
  });

  it('is healthy when the key lists models, and says why not when it does not', async () => {
    expect(await provider.health()).toEqual({
      ok: true,
      detail: expect.stringMatching(/API key accepted; models include gpt-5, gpt-5-mini/) as string,
    });
    const wrong = 'sk-proj-wrongKeyThatMustNeverBeShown0123456789';
    const refused = openAiProvider(server, logger, { apiKey: wrong, guard: { retries: 0 } });
    try {
      const health = await refused.provider.health();
      expect(health.ok).toBe(false);
      expect(health.detail).toContain('OPENAI_API_KEY');
      expect(health.detail).not.toContain(wrong);
      expect(server.count('listModels')).toBe(2);
    } finally {
      refused.guards.shutdown();
    }
  });
});
