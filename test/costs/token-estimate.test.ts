import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../../src/costs/token-estimate.js';
import type { ModelRequest } from '../../src/plugins/interfaces/ai-provider.js';

const request = (text: string, native = false): ModelRequest => ({
  model: 'claude-sonnet-4-6',
  system: [{ text: 'You are careful.' }],
  tools: [
    {
      name: 'bash',
      description: 'Run a command',
      inputSchema: { type: 'object' },
      ...(native ? { native: 'bash' as const } : {}),
    },
  ],
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  maxTokens: 1_000,
});

describe('estimateInputTokens', () => {
  it('errs on the high side of the usual four characters a token', () => {
    const text = 'const answer = compute(values);\n'.repeat(1_000);
    expect(estimateInputTokens(request(text))).toBeGreaterThan(text.length / 4);
  });

  it('counts tool results and tool inputs as well as text', () => {
    const base = request('go');
    const withTurn: ModelRequest = {
      ...base,
      messages: [
        ...base.messages,
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'bash', input: { command: 'ls' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', toolUseId: 't1', content: 'x'.repeat(3_000) }],
        },
      ],
    };
    expect(estimateInputTokens(withTurn) - estimateInputTokens(base)).toBeGreaterThanOrEqual(1_000);
  });

  it('adds what the provider puts in front of a native tool', () => {
    expect(estimateInputTokens(request('go', true))).toBeGreaterThan(
      estimateInputTokens(request('go')) + 500,
    );
  });
});
