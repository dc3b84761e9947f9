import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { developmentTools, newProgress } from '../../src/agents/development-tools.js';
import { Workspace } from '../../src/sandbox/workspace.js';
import { capturingLogger } from '../support/logger.js';

/** A model may name a file `__proto__`: it is a file like any other, never the record's prototype. */
let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'aidev-reserved-'));
});
afterAll(() => rm(directory, { recursive: true, force: true }));

describe('files a model names after an object’s internals', () => {
  it('records __proto__ and constructor as files of the change, written and deleted', async () => {
    const progress = newProgress();
    const tools = developmentTools({
      workspace: await Workspace.open(directory),
      progress,
      testCommand: null,
      sandbox: 'none',
      toolPath: [],
      testTimeoutMs: 1_000,
      signal: new AbortController().signal,
      log: capturingLogger().logger,
      status: () => undefined,
    });
    const run = (name: string, input: Record<string, unknown>) =>
      tools.find((t) => t.definition.name === name)?.run(input);
    await run('write_file', { path: '__proto__', content: 'first' });
    await run('write_file', { path: 'constructor', content: 'second' });
    await run('delete_file', { path: '__proto__' });
    expect(Object.getPrototypeOf(progress.files)).toBe(Object.prototype);
    expect(Object.entries(progress.files)).toEqual([
      ['__proto__', null],
      ['constructor', 'second'],
    ]);
    expect(JSON.parse(JSON.stringify(progress))).toMatchObject({ edits: 3 });
  });
});
