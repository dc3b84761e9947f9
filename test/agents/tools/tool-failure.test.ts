import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolFailure } from '../../../src/agents/tools/tool-failure.js';
import { StepError } from '../../../src/engine/step-errors.js';

// Real failures of real calls: what a tool meets, not hand-made error objects.

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'aidev-tool-failure-'));
  await fs.mkdir(path.join(root, 'src'));
  await fs.writeFile(path.join(root, 'src', 'a.ts'), 'export {};\n');
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const failure = async (call: () => Promise<unknown>): Promise<unknown> =>
  call().then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
const at = (...parts: string[]) => path.join(root, ...parts);

describe('toolFailure: what goes back to the model', () => {
  it('turns file-system mistakes into error results naming the path as the model knows it', async () => {
    const cases: [() => Promise<unknown>, string][] = [
      [() => fs.readFile(at('src', 'missing.ts')), 'no such file or directory: src/missing.ts'],
      [() => fs.readFile(at('src')), 'is a directory, where a file was expected'],
      [
        () => fs.readdir(at('src', 'a.ts')),
        'a part of src/a.ts is a file, where a directory was expected',
      ],
      [() => fs.mkdir(at('src')), 'src already exists'],
      [() => fs.rmdir(at('src')), 'the directory src is not empty'],
      [() => fs.readFile(at('x'.repeat(300))), 'is too long'],
    ];
    for (const [call, text] of cases) {
      const outcome = toolFailure(await failure(call), root);
      expect(outcome).toEqual({ content: expect.stringContaining(text) as string, isError: true });
    }
  });

  it('names the repository root as such, and a path outside it in full', async () => {
    expect(toolFailure(await failure(() => fs.rmdir(root)), root)?.content).toBe(
      'the directory . (the repository root) is not empty',
    );
    const outside = path.join(os.tmpdir(), `aidev-nowhere-${process.pid}`);
    expect(toolFailure(await failure(() => fs.readFile(outside)), root)?.content).toContain(
      outside,
    );
  });

  it('reports a permission refusal with what to check', async () => {
    const error = Object.assign(new Error('EACCES: permission denied, open'), {
      code: 'EACCES',
      syscall: 'open',
      path: at('src', 'a.ts'),
    });
    expect(toolFailure(error, root)?.content).toContain('permission denied on src/a.ts');
  });

  it('lets the model fix what a tool refused (StepErrors meant for it)', () => {
    for (const code of [
      'path_refused',
      'edit_refused',
      'not_found',
      'not_a_file',
      'file_too_large',
    ]) {
      expect(toolFailure(new StepError(`refused: ${code}`, { code }))).toEqual({
        content: `refused: ${code}`,
        isError: true,
      });
    }
  });

  it('leaves aidev’s own failures to end the step: sandbox, cancel, budget, database, spawn', async () => {
    for (const code of [
      'sandbox_unavailable',
      'run_cancelled',
      'budget_exceeded',
      'database_error',
    ])
      expect(toolFailure(new StepError('aidev failed', { code }))).toBeUndefined();
    // The sandbox program missing: ENOENT, but of a spawn, not of the model's path.
    const spawned = await new Promise<unknown>((resolve) =>
      spawn(at('no-such-program')).on('error', resolve),
    );
    expect((spawned as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(toolFailure(spawned, root)).toBeUndefined();
    // The database's Unix socket gone: ENOENT of a connect.
    const connected = await new Promise<unknown>((resolve) =>
      connect(at('no-such.sock')).on('error', resolve),
    );
    expect((connected as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(toolFailure(connected, root)).toBeUndefined();
    // Too many open files, a full disk: aidev's host, not the model's request.
    for (const code of ['EMFILE', 'ENOSPC', 'EIO', 'EROFS'])
      expect(
        toolFailure(Object.assign(new Error(code), { code, syscall: 'open' })),
      ).toBeUndefined();
    expect(toolFailure(new Error('a bug'))).toBeUndefined();
    expect(toolFailure('a string')).toBeUndefined();
    expect(toolFailure(null)).toBeUndefined();
  });
});
