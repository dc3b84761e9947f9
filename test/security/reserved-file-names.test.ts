import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
  it('creates and edits files named __proto__ and constructor like any other', async () => {
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
      hasChanges: () => Promise.resolve(true),
      status: () => undefined,
    });
    const run = (name: string, input: Record<string, unknown>) =>
      tools.find((t) => t.definition.name === name)?.run(input);
    const editor = 'str_replace_based_edit_tool';
    await run(editor, { command: 'create', path: '__proto__', file_text: 'first\n' });
    await run(editor, { command: 'create', path: 'constructor', file_text: 'second\n' });
    await run(editor, {
      command: 'str_replace',
      path: '__proto__',
      old_str: 'first',
      new_str: 'changed',
    });
    expect(await readFile(path.join(directory, '__proto__'), 'utf8')).toBe('changed\n');
    expect(await readFile(path.join(directory, 'constructor'), 'utf8')).toBe('second\n');
    expect(Object.getPrototypeOf(progress)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(progress))).toEqual(newProgress());
  });
});
