import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/sandbox/find-executable.js';
import { runSandboxed, type SandboxedCommand } from '../../src/sandbox/run-sandboxed.js';
import { DEFAULT_SANDBOX_POLICY } from '../../src/sandbox/sandbox-policy.js';
import { capturingLogger } from '../support/logger.js';

const SECRET = 'sk-ant-sandbox-test-secret-0123456789';
const hasBwrap = findExecutable('bwrap', process.env.PATH) !== undefined;
const { logger, lines } = capturingLogger();
let workspace: string;
let hidden: string;
let server: Server;
let port = 0;

beforeAll(async () => {
  if (!hasBwrap && process.env.CI === 'true')
    throw new Error('bubblewrap is required in CI (.ci/run installs it)');
  workspace = await mkdtemp(path.join(os.tmpdir(), 'aidev-sandbox-ws-'));
  hidden = await mkdtemp(path.join(os.tmpdir(), 'aidev-sandbox-data-'));
  await writeFile(path.join(hidden, 'credentials'), SECRET);
  process.env.ANTHROPIC_API_KEY = SECRET;
  // A service on this machine the command must not reach.
  server = createServer((socket) => {
    socket.on('error', () => undefined); // the probe exits at once: its resets are expected
    socket.end('hello');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  delete process.env.ANTHROPIC_API_KEY;
  server.close();
});

const run = (command: string, extra: Partial<SandboxedCommand> = {}) =>
  runSandboxed({
    cwd: workspace,
    command,
    mode: 'bubblewrap',
    timeoutMs: 10_000,
    maxOutputBytes: 64 * 1024,
    logger,
    ...extra,
  });

describe.skipIf(!hasBwrap)('a command in the bubblewrap sandbox', () => {
  it('runs in the workspace and may write there', async () => {
    const result = await run('echo built > out.txt && node -e "console.log(1 + 1)"');
    expect(result).toMatchObject({ exitCode: 0, stdout: '2\n', timedOut: false });
    expect(await readFile(path.join(workspace, 'out.txt'), 'utf8')).toBe('built\n');
  });

  it('cannot reach the network, not even a service on this machine', async () => {
    const probe = `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', (e) => { console.log(e.code); process.exit(7); })"`;
    const result = await run(probe);
    expect(result.exitCode).toBe(7);
    // Outside the sandbox the same probe connects: the test would notice a broken probe.
    expect((await run(probe, { mode: 'none' })).exitCode).toBe(0);
  });

  it('even with network for a setup command, reaches no service on this machine', async () => {
    const probe = `node -e "require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(7))"`;
    const inVarTmp = `/var/tmp/aidev-setup-escape-${process.pid}.txt`;
    const result = await run(`${probe} || echo unreachable; echo x > ${inVarTmp} && echo private`, {
      network: true,
    });
    expect(result.stdout).toBe('unreachable\nprivate\n');
    await expect(readFile(inVarTmp)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('cannot write outside the workspace; its /tmp is its own', async () => {
    const inVarTmp = `/var/tmp/aidev-escape-${process.pid}.txt`;
    const inTmp = path.join(os.tmpdir(), `aidev-escape-${process.pid}.txt`);
    const result = await run(
      `echo x > ${inVarTmp} || echo refused; echo y > /etc/aidev-escape || echo refused; echo z > ${inTmp} && echo private`,
    );
    expect(result.stdout).toBe('refused\nprivate\n'); // /var/tmp is its private /tmp
    await expect(readFile(inVarTmp)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(readFile(inTmp)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sees none of aidev’s environment or data directory', async () => {
    const result = await run(`env; cat ${hidden}/credentials; ls ${hidden}`);
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain('ANTHROPIC_API_KEY');
    expect(result.stderr).toContain('No such file');
  });

  it('is stopped at its time limit, with everything it started', async () => {
    const result = await run('sleep 30 & sleep 30', { timeoutMs: 300 });
    expect(result.timedOut).toBe(true);
    expect(result.durationMs).toBeLessThan(5_000);
    expect(result.stderr).toContain('stopped after 300 ms');
  });

  it('keeps the start and the end of the output within its limit, and says what it left out', async () => {
    const result = await run(
      'node -e "process.stdout.write(\'x\'.repeat(100000))"; seq 1 20000; echo THE END',
      { maxOutputBytes: 1000 },
    );
    expect(result.truncated).toBe(true);
    expect(result.stdout.startsWith('x'.repeat(500))).toBe(true);
    expect(result.stdout).toMatch(/\n\[… 19\d\d\d lines \(\d+ bytes\) omitted …\]\n/);
    expect(result.stdout.endsWith('\n20000\nTHE END\n')).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1100);
  });

  it('runs tools from a folder on its PATH even under /tmp, without seeing the rest of /tmp', async () => {
    const install = await mkdtemp(path.join(os.tmpdir(), 'aidev-tools-'));
    await chmod(install, 0o755); // an installation folder, readable by every user
    await mkdir(path.join(install, 'bin'));
    await writeFile(path.join(install, 'bin', 'hello'), '#!/bin/sh\necho hello from the tool\n', {
      mode: 0o755,
    });
    await writeFile(path.join(os.tmpdir(), 'aidev-sandbox-elsewhere'), 'not for the command');
    const result = await run('hello && cat /tmp/aidev-sandbox-elsewhere', {
      toolPath: [path.join(install, 'bin')],
    });
    expect(result.stdout).toBe('hello from the tool\n');
    expect(result.exitCode).not.toBe(0);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await run('sleep 30', { signal: controller.signal });
    expect(result.durationMs).toBeLessThan(5_000);
    expect(result.exitCode).not.toBe(0);
  });
});

describe.skipIf(!hasBwrap || process.getuid?.() !== 0)(
  'commands sandboxed at the same time',
  () => {
    it('each have a user, and so a process limit, of their own', async () => {
      const policy = {
        ...DEFAULT_SANDBOX_POLICY,
        limits: { ...DEFAULT_SANDBOX_POLICY.limits, processes: 24 },
      };
      // Thirteen processes each, together more than one limit of 24: with one shared user some of
      // them could not fork ("Resource temporarily unavailable"), as test runs did under load.
      const command = 'for i in $(seq 1 12); do sleep 3 & done; id -u; wait && echo all-started';
      const results = await Promise.all(
        [0, 1, 2].map(async () =>
          run(command, {
            cwd: await mkdtemp(path.join(os.tmpdir(), 'aidev-sandbox-users-ws-')),
            policy,
          }),
        ),
      );
      for (const result of results) expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      const uids = results.map((r) => r.stdout.split('\n')[0]);
      expect(new Set(uids).size).toBe(3);
      for (const result of results) expect(result.stdout).toContain('all-started');
    });
  },
);

describe('without bubblewrap', () => {
  it('says so on every run when the operator chose AIDEV_SANDBOX=none', async () => {
    lines.length = 0;
    await run('true', { mode: 'none' });
    expect(lines.join('\n')).toContain('AIDEV_SANDBOX=none: running the command without a sandbox');
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('refuses to run when bwrap is missing', async () => {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(run('true')).rejects.toMatchObject({
        code: 'sandbox_unavailable',
        message: expect.stringContaining('AIDEV_SANDBOX=none') as unknown as string,
      });
    } finally {
      process.env.PATH = saved;
    }
  });
});
