import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiServer, type OpenAiServer } from '../../vendors/openai/openai-server.js';

let server: OpenAiServer;
beforeAll(async () => {
  server = await startOpenAiServer();
});
beforeEach(() => server.reset());
afterAll(() => server.close());

/** A request as a client that is not the SDK might send it. */
async function post(body: unknown, key = server.apiKey) {
  const response = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { error: { message: string } },
  };
}

const user = { role: 'user', content: 'Hello' };

describe('the local OpenAI server refuses what OpenAI refuses', () => {
  it('a request the published description does not allow', async () => {
    const empty = await post({ model: 'gpt-5', messages: [] });
    expect(empty.status).toBe(400);
    expect(server.violations[0]).toMatch(
      /violates the OpenAI API description: \/requestBody\/messages must NOT have fewer than 1 items/,
    );
    const role = await post({ model: 'gpt-5', messages: [{ role: 'robot', content: 'x' }] });
    expect(role.status).toBe(400);
    const tokens = await post({ model: 'gpt-5', messages: [user], max_completion_tokens: 'many' });
    expect(tokens.status).toBe(400);
    expect(server.violations).toHaveLength(3);
  });

  it('the rules beyond the description: tool messages, tool lists, max_tokens on a reasoning model', async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{}' } };
    const cases = [
      { model: 'gpt-5', messages: [user, { role: 'tool', tool_call_id: 'call_1', content: 'x' }] },
      {
        model: 'gpt-5',
        messages: [user, { role: 'assistant', content: null, tool_calls: [call] }, user],
      },
      { model: 'gpt-5', messages: [user], tools: [] },
      { model: 'gpt-5', messages: [user], max_tokens: 100 },
    ];
    for (const body of cases) expect((await post(body)).status).toBe(400);
    expect(server.violations).toEqual([
      expect.stringContaining(
        "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
      ),
      expect.stringContaining('did not have response messages: call_1'),
      expect.stringContaining("Invalid 'tools': empty array"),
      expect.stringContaining("'max_tokens' is not supported with this model"),
    ]);
  });

  it('a wrong key, an unknown model and a prompt over the context window, in OpenAI’s words', async () => {
    expect(await post({ model: 'gpt-5', messages: [user] }, 'sk-wrong-key-0000')).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
    expect(await post({ model: 'gpt-7', messages: [user] })).toMatchObject({
      status: 404,
      body: { error: { code: 'model_not_found' } },
    });
    server.contextWindow = 10;
    expect(
      await post({ model: 'gpt-5', messages: [{ role: 'user', content: 'x'.repeat(400) }] }),
    ).toMatchObject({ status: 400, body: { error: { code: 'context_length_exceeded' } } });
    expect(server.violations).toEqual([]);
  });
});
