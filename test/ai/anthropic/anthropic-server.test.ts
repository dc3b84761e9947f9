import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../../vendors/anthropic/anthropic-server.js';
import { MODEL } from './anthropic-setup.js';

// The local Anthropic API itself, spoken to with plain fetch: requests the real API refuses
// must be refused here too (with Anthropic's error body) and recorded as violations.

let server: AnthropicServer;

beforeAll(async () => {
  server = await startAnthropicServer();
});
beforeEach(() => server.reset());
afterAll(() => server.close());

type Body = Record<string, unknown>;

async function post(
  path: string,
  body: Body,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Body }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'anthropic-version': '2026-10-21',
      'x-api-key': server.apiKey,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Body };
}

const hello = { role: 'user', content: 'Hello' };
const message = (extra: Body = {}): Body => ({
  model: MODEL,
  max_tokens: 64,
  messages: [hello],
  ...extra,
});

/** Anthropic's 400 body, with the message the real API gives. */
const refused = (text: string) => ({
  type: 'error',
  error: { type: 'invalid_request_error', message: expect.stringContaining(text) as string },
  request_id: expect.stringMatching(/^req_01/) as string,
});

describe('local Anthropic API', () => {
  it('answers a valid request with a Message', async () => {
    const { status, json } = await post('/v1/messages', message());
    expect(status).toBe(200);
    expect(json).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'end_turn',
    });
    expect(server.violations).toEqual([]);
  });

  it('refuses an unknown top-level field and records the violation', async () => {
    const { status, json } = await post('/v1/messages', message({ temperature: 0.5 }));
    expect(status).toBe(400);
    expect(json).toEqual(refused('additionalProperty'));
    expect(server.violations).toEqual([
      expect.stringContaining('"additionalProperty":"temperature"'),
    ]);
  });

  it('refuses max_tokens on count_tokens, which takes the prompt only', async () => {
    const { status } = await post('/v1/messages/count_tokens', message());
    expect(status).toBe(400);
    expect(server.violations).toEqual([
      expect.stringContaining('"additionalProperty":"max_tokens"'),
    ]);
  });

  it('requires the anthropic-version header', async () => {
    const { status } = await post('/v1/messages', message(), { 'anthropic-version': '' });
    expect(status).toBe(400);
    expect(server.violations).toEqual([expect.stringContaining('anthropic-version')]);
  });

  it('refuses an unknown key with 401 authentication_error, by x-api-key or Bearer', async () => {
    for (const headers of [
      { 'x-api-key': 'sk-ant-nope' },
      { 'x-api-key': '', authorization: 'Bearer sk-ant-nope' },
    ]) {
      const { status, json } = await post('/v1/messages', message(), headers);
      expect(status).toBe(401);
      expect(json).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    }
  });

  it.each<[string, Body, string]>([
    [
      'more than 4 cache_control blocks',
      message({
        system: [1, 2, 3, 4, 5].map((n) => ({
          type: 'text',
          text: `part ${n}`,
          cache_control: { type: 'ephemeral' },
        })),
      }),
      'A maximum of 4 blocks with cache_control may be provided. Found 5.',
    ],
    [
      'a first message from the assistant',
      message({ messages: [{ role: 'assistant', content: 'Hi' }, hello] }),
      'first message must use the "user" role',
    ],
    [
      'a tool_result without the matching tool_use just before',
      message({
        messages: [
          hello,
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_01A', name: 'read_file', input: {} }],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'x' },
              { type: 'tool_result', tool_use_id: 'toolu_01B', content: 'y' },
            ],
          },
        ],
      }),
      'unexpected `tool_use_id` found in `tool_result` blocks: toolu_01B',
    ],
    [
      'a tool_use left unanswered',
      message({
        messages: [
          hello,
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_01A', name: 'read_file', input: {} }],
          },
          hello,
        ],
      }),
      '`tool_use` ids were found without `tool_result` blocks immediately after: toolu_01A',
    ],
    [
      'empty content',
      message({ messages: [{ role: 'user', content: [] }] }),
      'all messages must have non-empty content',
    ],
    [
      'an empty text block',
      message({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
      'text content blocks must be non-empty',
    ],
  ])('refuses %s with Anthropic’s 400 and records it', async (_case, body, text) => {
    const { status, json } = await post('/v1/messages', body);
    expect(status).toBe(400);
    expect(json).toEqual(refused(text));
    expect(server.violations).toEqual([expect.stringContaining(text)]);
  });

  it('accepts Anthropic’s bash and text editor tools by type and name, with their options', async () => {
    for (const tools of [
      [{ type: 'bash_20250124', name: 'bash' }],
      [{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }],
      [
        { type: 'bash_20250124', name: 'bash', cache_control: { type: 'ephemeral' } },
        {
          type: 'text_editor_20250728',
          name: 'str_replace_based_edit_tool',
          max_characters: 10_000,
          cache_control: { type: 'ephemeral', ttl: '1h' },
        },
      ],
      [{ type: 'text_editor_20250124', name: 'str_replace_editor' }],
      [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
    ]) {
      const { status } = await post('/v1/messages', message({ tools }));
      expect(status, JSON.stringify(tools)).toBe(200);
    }
    expect(server.violations).toEqual([]);
  });

  it.each<[string, Body]>([
    ['bash under another name', { type: 'bash_20250124', name: 'shell' }],
    [
      'the text editor under its old name',
      { type: 'text_editor_20250728', name: 'str_replace_editor' },
    ],
    [
      'the old text editor under the new name',
      { type: 'text_editor_20250124', name: 'str_replace_based_edit_tool' },
    ],
    ['a version of bash that does not exist', { type: 'bash_20990101', name: 'bash' }],
    [
      'bash with a schema of its own',
      { type: 'bash_20250124', name: 'bash', input_schema: { type: 'object' } },
    ],
    ['max_characters on bash', { type: 'bash_20250124', name: 'bash', max_characters: 1000 }],
    [
      'max_characters on a text editor before 20250728',
      { type: 'text_editor_20250429', name: 'str_replace_based_edit_tool', max_characters: 1000 },
    ],
    [
      'max_characters that is not a positive whole number',
      { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool', max_characters: 0.5 },
    ],
  ])('refuses %s', async (_case, tool) => {
    const { status, json } = await post('/v1/messages', message({ tools: [tool] }));
    expect(status).toBe(400);
    expect(json).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(server.violations).toEqual([expect.stringContaining('tools')]);
  });

  it('lists models a page at a time', async () => {
    const response = await fetch(`${server.url}/v1/models?limit=2`, {
      headers: { 'anthropic-version': '2026-10-21', authorization: `Bearer ${server.apiKey}` },
    });
    const page = (await response.json()) as {
      data: { id: string; type: string }[];
      has_more: boolean;
    };
    expect(page.data.map((m) => m.type)).toEqual(['model', 'model']);
    expect(page.has_more).toBe(true);
    expect(server.violations).toEqual([]);
  });
});
