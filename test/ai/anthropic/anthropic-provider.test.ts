import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bashTool } from '../../../src/agents/tools/bash-tool.js';
import { TEXT_EDITOR_NAME, textEditorTool } from '../../../src/agents/tools/text-editor-tool.js';
import type { AiProvider, ToolUseBlock } from '../../../src/plugins/interfaces/ai-provider.js';
import type { Guards } from '../../../src/resilience/guards.js';
import { Workspace } from '../../../src/sandbox/workspace.js';
import { capturingLogger } from '../../support/logger.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../vendors/anthropic/anthropic-server.js';
import {
  agentSystem,
  anthropicProvider,
  callOptions,
  MODEL,
  request,
  TOOLS,
  userText,
} from './anthropic-setup.js';

const { logger, lines } = capturingLogger();
let server: AnthropicServer;
let provider: AiProvider;
let guards: Guards;
const call = () => callOptions(logger);

beforeAll(async () => {
  server = await startAnthropicServer();
  ({ provider, guards } = anthropicProvider(server, logger));
});
beforeEach(() => {
  server.reset();
  lines.length = 0;
});
afterEach(() => {
  // Any request the real API would refuse fails the test that sent it.
  expect(server.violations).toEqual([]);
});
afterAll(async () => {
  guards.shutdown();
  await server.close();
});

type Body = Record<string, unknown> & { messages: { content: Record<string, unknown>[] }[] };
const lastBody = () => server.messageBodies().at(-1) as Body;

describe('anthropic provider: requests and answers', () => {
  it('sends a tool-use round trip in the Messages API shape and maps the tool call back', async () => {
    server.reply({
      content: [{ type: 'tool_use', name: 'read_file', input: { path: 'README.md' } }],
    });
    const first = await provider.complete(
      request({
        tools: TOOLS,
        messages: [userText('What does the README say?')],
      }),
      call(),
    );
    expect(first.stopReason).toBe('tool_use');
    expect(first.model).toBe('claude-sonnet-4-6');
    const use = first.content[0] as ToolUseBlock;
    expect(use).toEqual({
      type: 'tool_use',
      id: expect.stringMatching(/^toolu_01[0-9A-Za-z]{22}$/) as string,
      name: 'read_file',
      input: { path: 'README.md' },
    });

    server.reply({ content: [{ type: 'text', text: 'It says hello.' }] });
    const second = await provider.complete(
      request({
        tools: TOOLS,
        messages: [
          userText('What does the README say?'),
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              { type: 'tool_result', toolUseId: use.id, content: 'no such file', isError: true },
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

    const body = lastBody();
    expect(body).toEqual({
      model: MODEL,
      max_tokens: 1024,
      system: [{ type: 'text', text: 'You are terse.' }],
      tools: TOOLS.map((t) => ({
        name: t.name,
        description: t.description,
        input_schema: t.inputSchema,
      })),
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What does the README say?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: use.id, name: 'read_file', input: { path: 'README.md' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: use.id, content: 'no such file', is_error: true },
          ],
        },
      ],
    });
    // API version 2026-10-21 refuses temperature: it is never sent.
    expect(server.messageBodies()[0]).not.toHaveProperty('temperature');
    const headers = server.requests[0]?.headers ?? {};
    expect(headers['anthropic-version']).toBe('2026-10-21');
    expect(headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(headers['x-stainless-retry-count']).toBe('0');
  });

  it('sends the bash and text editor tools as Anthropic’s own types, by type and name alone', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'aidev-anthropic-tools-'));
    try {
      await writeFile(path.join(root, 'README.md'), '# Shop\n');
      const workspace = await Workspace.open(root);
      const editor = textEditorTool({ workspace });
      const tools = [
        bashTool({ workspace, sandbox: 'bubblewrap', logger }).definition,
        editor.definition,
      ];
      const input = { command: 'view', path: 'README.md' };
      server.reply({ content: [{ type: 'tool_use', name: TEXT_EDITOR_NAME, input }] });
      const ask = userText('What does the README say?');
      const first = await provider.complete(
        request({ tools, messages: [ask], cache: { tools: true, conversation: false } }),
        call(),
      );
      const use = first.content[0] as ToolUseBlock;
      expect(use).toMatchObject({ type: 'tool_use', name: TEXT_EDITOR_NAME, input });
      const outcome = await editor.run(use.input);
      await provider.complete(
        request({
          tools,
          cache: { tools: true, conversation: false },
          messages: [
            ask,
            { role: 'assistant', content: first.content },
            {
              role: 'user',
              content: [{ type: 'tool_result', toolUseId: use.id, content: outcome.content }],
            },
          ],
        }),
        call(),
      );
      for (const body of server.messageBodies())
        expect(body.tools).toEqual([
          { type: 'bash_20250124', name: 'bash' },
          {
            type: 'text_editor_20250728',
            name: 'str_replace_based_edit_tool',
            cache_control: { type: 'ephemeral' },
          },
        ]);
      expect(lastBody().messages[2]?.content).toEqual([
        {
          type: 'tool_result',
          tool_use_id: use.id,
          content: "Here's the result of running `cat -n` on README.md:\n     1\t# Shop",
          is_error: false,
        },
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('refuses to send a native tool under a name Anthropic’s type does not take', async () => {
    const renamed = {
      name: 'shell',
      description: 'Run a command.',
      inputSchema: { type: 'object' },
      native: 'bash' as const,
    };
    await expect(provider.complete(request({ tools: [renamed] }), call())).rejects.toThrow(
      'the tool "shell" is marked native \'bash\', but Anthropic\'s bash_20250124 tool must be named "bash"',
    );
    expect(server.count('messages/create')).toBe(0);
  });

  it('marks the last tool, the cached system blocks and the conversation tail for caching', async () => {
    await provider.complete(
      request({
        system: agentSystem(true),
        tools: TOOLS,
        cache: { tools: true, conversation: true },
      }),
      call(),
    );
    const body = lastBody();
    const mark = { type: 'ephemeral' };
    expect((body.tools as Record<string, unknown>[]).map((t) => t.cache_control)).toEqual([
      undefined,
      undefined,
      mark,
    ]);
    expect((body.system as Record<string, unknown>[]).map((s) => s.cache_control)).toEqual([
      mark,
      mark,
    ]);
    expect(body.messages.at(-1)?.content.at(-1)?.cache_control).toEqual(mark);
  });

  it('never sends more than 4 cache marks: the earliest system marks go first, and the log says why', async () => {
    const system = [1, 2, 3, 4, 5].map((n) => ({
      text: `Part ${n} of the instructions.`,
      cache: true,
    }));
    await provider.complete(
      request({ system, tools: TOOLS, cache: { tools: true, conversation: true } }),
      call(),
    );
    const body = lastBody();
    const marked = (body.system as Record<string, unknown>[]).map(
      (s) => s.cache_control !== undefined,
    );
    expect(marked).toEqual([false, false, false, true, true]);
    expect(JSON.stringify(body).split('"cache_control"').length - 1).toBe(4);
    expect(
      lines.some(
        (l) => l.includes('"level":20') && l.includes('3 earliest system cache mark(s) dropped'),
      ),
    ).toBe(true);
  });

  it('maps usage exactly: 5-minute and 1-hour cache writes apart, reads, input and output', async () => {
    server.reply({
      content: [{ type: 'text', text: 'ok' }],
      usage: {
        input_tokens: 12,
        output_tokens: 34,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 4000,
        cache_creation: { ephemeral_5m_input_tokens: 100, ephemeral_1h_input_tokens: 200 },
      },
    });
    const answer = await provider.complete(request(), call());
    expect(answer.usage).toEqual({
      inputTokens: 12,
      outputTokens: 34,
      cacheWriteTokens: 100,
      cacheWrite1hTokens: 200,
      cacheReadTokens: 4000,
    });
  });

  it('takes the whole cache write as 5-minute writes when the answer gives no breakdown', async () => {
    server.reply({
      content: [{ type: 'text', text: 'ok' }],
      usage: {
        input_tokens: 5,
        output_tokens: 6,
        cache_creation_input_tokens: 70,
        cache_read_input_tokens: null,
      },
    });
    const answer = await provider.complete(request(), call());
    expect(answer.usage).toEqual({
      inputTokens: 5,
      outputTokens: 6,
      cacheWriteTokens: 70,
      cacheReadTokens: 0,
    });
  });

  it('refuses an answer without usage (invalid_response), without retrying', async () => {
    server.reply({ content: [{ type: 'text', text: 'free?' }], usage: 'omit' });
    await expect(provider.complete(request(), call())).rejects.toMatchObject({
      code: 'invalid_response',
      retryable: false,
      message: expect.stringContaining('no usage') as string,
    });
    expect(server.count('messages/create')).toBe(1);
  });

  it.each([
    ['a negative count', { input_tokens: -1, output_tokens: 3 }],
    ['a fractional count', { input_tokens: 1.5, output_tokens: 3 }],
    ['a count given as text', { input_tokens: '10', output_tokens: 3 }],
    ['no output tokens', { input_tokens: 10 }],
    [
      'a breakdown that does not add up',
      {
        input_tokens: 1,
        output_tokens: 1,
        cache_creation_input_tokens: 10,
        cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 10 },
      },
    ],
  ])('refuses usage with %s (invalid_response)', async (_case, usage) => {
    server.reply({ content: [{ type: 'text', text: 'x' }], usage });
    await expect(provider.complete(request(), call())).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('drops content blocks other than text and tool_use, and logs a warning naming them', async () => {
    server.reply({
      content: [
        { type: 'raw', block: { type: 'thinking', thinking: 'hmm', signature: 'sig' } },
        { type: 'text', text: 'Answer.' },
      ],
    });
    const answer = await provider.complete(request(), call());
    expect(answer.content).toEqual([{ type: 'text', text: 'Answer.' }]);
    expect(lines.some((l) => l.includes('ignored content blocks of types thinking'))).toBe(true);
  });

  it('reports health from the models list', async () => {
    const health = await provider.health();
    expect(health).toEqual({
      ok: true,
      detail: expect.stringContaining('claude-sonnet-4-6') as string,
    });
    expect(server.count('models/list')).toBe(1);
  });
});
