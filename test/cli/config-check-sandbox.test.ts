import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/sandbox/find-executable.js';
import { runInProcess } from '../support/cli.js';
import { pathWithout } from '../support/path-without.js';

let cwd: string;
let noBwrap: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'aidev-check-sandbox-'));
  noBwrap = await pathWithout('bwrap', cwd);
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const sandboxLine = (stdout: string) =>
  stdout.split('\n').find((line) => /^ {2}. sandbox /.test(line)) ?? '';
const check = (env: Record<string, string>) =>
  runInProcess(['config', 'check'], { AIDEV_DATA_DIR: path.join(cwd, 'data'), ...env }, cwd);

describe.skipIf(process.platform !== 'linux')('aidev config check’s sandbox line', () => {
  const bwrap = findExecutable('bwrap', process.env.PATH);

  it.skipIf(bwrap === undefined)('names the sandbox in use', async () => {
    const result = await check({});
    expect(sandboxLine(result.stdout)).toMatch(
      new RegExp(`^ {2}✓ sandbox +bubblewrap at ${bwrap ?? ''}, chosen by AIDEV_SANDBOX=auto$`),
    );
  });

  it('fails, saying what to install, when there is no sandbox', async () => {
    const result = await check({ PATH: noBwrap });
    expect(result.code).toBe(1);
    expect(sandboxLine(result.stdout)).toMatch(
      /^ {2}✗ sandbox +bubblewrap \(bwrap\) is not installed; runs refuse to run a repository’s tests until you install bubblewrap \(Debian\/Ubuntu: apt-get install bubblewrap; .*\), or set AIDEV_SANDBOX=none to run them unsandboxed$/,
    );
  });

  it('warns that code runs unsandboxed with AIDEV_SANDBOX=none', async () => {
    const result = await check({ PATH: noBwrap, AIDEV_SANDBOX: 'none' });
    expect(sandboxLine(result.stdout)).toMatch(
      /^ {2}! sandbox +AIDEV_SANDBOX=none: repository commands run without a sandbox: tests, setup and the agent’s shell can reach the network/,
    );
  });

  it('refuses a macOS sandbox on Linux, naming the setting that works', async () => {
    const result = await check({ AIDEV_SANDBOX: 'seatbelt' });
    expect(result.code).toBe(1);
    expect(sandboxLine(result.stdout)).toContain('set AIDEV_SANDBOX=auto (or bubblewrap)');
  });
});
