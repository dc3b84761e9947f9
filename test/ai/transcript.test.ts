import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDifference } from '../../src/adapters/transcript/compare-recorded.js';
import {
  RecordingProvider,
  TranscriptRecorder,
} from '../../src/adapters/transcript/recording-provider.js';
import { TranscriptProvider } from '../../src/adapters/transcript/transcript-provider.js';
import type {
  ModelRequest,
  ProviderCallOptions,
} from '../../src/plugins/interfaces/ai-provider.js';
import { capturingLogger } from '../support/logger.js';
import {
  startAnthropicServer,
  type AnthropicServer,
} from '../vendors/anthropic/anthropic-server.js';
import { anthropicProvider, request, userText } from './anthropic/anthropic-setup.js';

const { logger } = capturingLogger({ level: 'warn' });
let scratch: string;
let server: AnthropicServer;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-transcript-'));
  server = await startAnthropicServer();
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

const turn = (name: string, n: number): ProviderCallOptions => ({
  signal: new AbortController().signal,
  log: logger,
  conversation: { name, turn: n },
});
const ask = (text: string): ModelRequest => request({ messages: [userText(text)] });

describe('recorded transcripts', () => {
  it('records a real conversation and replays it, usage included, without calling anything', async () => {
    const file = path.join(scratch, 'recorded.json');
    const { provider } = anthropicProvider(server, logger);
    const recorder = new RecordingProvider(provider, new TranscriptRecorder(file));
    server.reply({ content: [{ type: 'text', text: 'Hello there.' }] });
    const live = await recorder.complete(ask('Say hello.'), turn('planning/plan', 0));
    await recorder.close();
    const requestsBefore = server.count();

    const replay = TranscriptProvider.load(file);
    const replayed = await replay.complete(ask('Say hello.'), turn('planning/plan', 0));
    expect(replayed).toEqual(live);
    expect(server.count()).toBe(requestsBefore);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { format: string; source: string };
    expect(saved.format).toBe('aidev-transcript/1');
    expect(saved.source).toMatch(
      /^recorded from Claude through the Anthropic API at http:\/\/127\.0\.0\.1:\d+$/,
    );
  });

  it('names the conversation, the turn and the first differing field of a request that diverges', async () => {
    const file = path.join(scratch, 'recorded.json');
    const replay = TranscriptProvider.load(file);
    await expect(
      replay.complete(ask('Say goodbye.'), turn('planning/plan', 0)),
    ).rejects.toMatchObject({
      code: 'transcript_divergence',
      message: expect.stringContaining(
        'the request of turn 1 of the planning/plan conversation differs from',
      ) as string,
    });
    await expect(replay.complete(ask('Say goodbye.'), turn('planning/plan', 0))).rejects.toThrow(
      /at messages\[0\]\.content\[0\]\.text, character 5: recorded "Say hello\." but the request has "Say goodbye\."$/,
    );
    await expect(replay.complete(ask('Say hello.'), turn('planning/plan', 1))).rejects.toThrow(
      /records 1 turns of the planning\/plan conversation, and the agent asked for a 2nd$/,
    );
    await expect(
      replay.complete(ask('Say hello.'), turn('development/implement', 0)),
    ).rejects.toThrow(
      /has no recording of a development\/implement conversation \(it has planning\/plan\); set ANTHROPIC_API_KEY to use Claude for new work$/,
    );
  });

  it('refuses a file that is not a transcript, saying which field is wrong', async () => {
    const file = path.join(scratch, 'broken.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'aidev-transcript/1',
        source: 'x',
        conversations: { a: [[{ request: {} }]] },
      }),
    );
    expect(() => TranscriptProvider.load(file)).toThrow(
      /is not an aidev-transcript\/1 file: conversations\.a\[0\]\[0\]\.response: /,
    );
  });
});

describe('recorded values that may vary', () => {
  it('matches patterns and anything-goes markers, and reports the first real difference', () => {
    const recorded = { a: [1, { $regex: '^npm test: passed\\n' }], b: { $any: true }, c: 'x' };
    expect(
      firstDifference(recorded, { a: [1, 'npm test: passed\n# 12 ms'], b: [9], c: 'x' }),
    ).toBeUndefined();
    expect(firstDifference(recorded, { a: [1, 'npm test: failed\n'], b: 1, c: 'x' })).toMatchObject(
      { path: 'a[1]' },
    );
    expect(firstDifference(recorded, { a: [1, 'npm test: passed\n'], b: 1, c: 'y' })).toEqual({
      path: 'c',
      recorded: 'x',
      actual: 'y',
    });
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toEqual({
      path: 'a[1]',
      recorded: undefined,
      actual: 2,
    });
  });
});
