import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TranscriptProvider } from '../../src/adapters/transcript/transcript-provider.js';
import { createAiProvider } from '../../src/app/ai.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { ProviderCallOptions } from '../../src/plugins/interfaces/ai-provider.js';
import { Guards } from '../../src/resilience/guards.js';
import { capturingLogger } from '../support/logger.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { startOpenAiServer, type OpenAiServer } from '../vendors/openai/openai-server.js';
import { FAST_GUARD, request, userText } from './anthropic/anthropic-setup.js';

/**
 * `ai.record` records every configured provider's calls, Claude's and OpenAI's, into one
 * transcript, which replays either conversation without a key.
 */
const { logger } = capturingLogger({ level: 'warn' });
let scratch: string;
let anthropic: AnthropicServer;
let openai: OpenAiServer;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-record-'));
  [anthropic, openai] = await Promise.all([startAnthropicServer(), startOpenAiServer()]);
});
afterAll(async () => {
  await Promise.all([anthropic.close(), openai.close()]);
  await rm(scratch, { recursive: true, force: true });
});

const turn0 = (name: string): ProviderCallOptions => ({
  signal: new AbortController().signal,
  log: logger,
  conversation: { name, turn: 0 },
});

describe('ai.record', () => {
  it('records Claude’s and OpenAI’s calls into one transcript that replays both', async () => {
    const file = path.join(scratch, 'recorded.json');
    await writeFile(path.join(scratch, 'aidev.config.yaml'), `ai:\n  record: ${file}\n`);
    const config = loadConfig({
      cwd: scratch,
      env: {
        AIDEV_DATA_DIR: path.join(scratch, 'data'),
        ANTHROPIC_API_KEY: anthropic.apiKey,
        ANTHROPIC_BASE_URL: anthropic.url,
        OPENAI_API_KEY: openai.apiKey,
        OPENAI_BASE_URL: openai.url,
      },
    });
    const guards = new Guards(logger, { anthropic: FAST_GUARD, openai: FAST_GUARD });
    const ai = createAiProvider({ config, guards, logger });
    anthropic.reply({ content: [{ type: 'text', text: 'A plan from Claude.' }] });
    openai.reply({ content: [{ type: 'text', text: 'Code from GPT.' }] });
    const plan = request({ messages: [userText('Plan it.')] });
    const code = request({ model: 'openai:gpt-5', messages: [userText('Write it.')] });
    // At once: neither provider's save may overwrite the other's recording.
    const [claudeSaid, gptSaid] = await Promise.all([
      ai.complete(plan, turn0('planning/plan')),
      ai.complete(code, turn0('development/implement')),
    ]);
    for (const member of ai.members()) await member.close?.();
    guards.shutdown();

    const saved = JSON.parse(await readFile(file, 'utf8')) as {
      source: string;
      conversations: Record<string, unknown>;
    };
    expect(Object.keys(saved.conversations).sort()).toEqual([
      'development/implement',
      'planning/plan',
    ]);
    expect(saved.source).toMatch(/recorded from Claude through the Anthropic API at http/);
    expect(saved.source).toMatch(/recorded from OpenAI Chat Completions at http/);

    const replay = TranscriptProvider.load(file);
    const before = anthropic.count() + openai.count();
    await expect(replay.complete(plan, turn0('planning/plan'))).resolves.toMatchObject({
      content: claudeSaid.content,
    });
    // The recorded request names the model OpenAI was asked for: gpt-5.
    await expect(
      replay.complete({ ...code, model: 'gpt-5' }, turn0('development/implement')),
    ).resolves.toMatchObject({ content: gptSaid.content, usage: gptSaid.usage });
    expect(anthropic.count() + openai.count()).toBe(before);
  });
});
