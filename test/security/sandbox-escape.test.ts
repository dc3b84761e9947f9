import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSandboxUser } from './support/sandbox-user.js';
import { findExecutable } from '../../src/sandbox/find-executable.js';
import { runSandboxed, type SandboxedCommand } from '../../src/sandbox/run-sandboxed.js';
import {
  DEFAULT_SANDBOX_POLICY,
  type SandboxLimits,
  type SandboxPolicy,
} from '../../src/sandbox/sandbox-policy.js';
import { Workspace } from '../../src/sandbox/workspace.js';
import { capturingLogger } from '../support/logger.js';

/**
 * Attacks from inside a sandboxed command (a repository's tests or setup, or the agent's shell),
 * as hostile code would make them. Each must be refused.
 */
const SECRET = 'sk-ant-sandbox-escape-secret-0123456789';
const hasBwrap = findExecutable('bwrap', process.env.PATH) !== undefined;
const asRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const { logger } = capturingLogger();

/** A stand-in for aidev's working directory: .env, settings, data directory, working copies. */
let aidevDir: string;
let workspace: string;
let otherCopy: string;
let homeProbe: string;
let hostSockets: string[] = [];
const sockets: Server[] = [];
let tcp: Server;
let tcpPort = 0;
let registry: HttpServer;
let registryPort = 0;

/** A service that greets whoever connects (the probes exit at once: resets are expected). */
function answer(socket: Socket): void {
  socket.on('error', () => undefined);
  socket.end('connected');
}

function listen(server: Server, where: string | number): Promise<void> {
  return new Promise((resolve) =>
    typeof where === 'string'
      ? server.listen(where, resolve)
      : server.listen(where, '127.0.0.1', resolve),
  );
}

beforeAll(async () => {
  if (!hasBwrap && process.env.CI === 'true')
    throw new Error('bubblewrap is required in CI (.ci/run installs it)');
  aidevDir = await mkdtemp(path.join(os.tmpdir(), 'aidev-escape-'));
  await chmod(aidevDir, 0o755);
  await writeFile(path.join(aidevDir, '.env'), `ANTHROPIC_API_KEY=${SECRET}\n`);
  await writeFile(path.join(aidevDir, 'aidev.config.yaml'), `# ${SECRET}\n`);
  workspace = path.join(aidevDir, '.aidev', 'workspaces', 'run-a', 'implement');
  otherCopy = path.join(aidevDir, '.aidev', 'workspaces', 'run-b', 'implement');
  await mkdir(workspace, { recursive: true });
  await mkdir(otherCopy, { recursive: true });
  await writeFile(path.join(otherCopy, 'secret.ts'), SECRET);
  homeProbe = path.join(os.homedir(), `.aidev-sandbox-probe-${process.pid}`);
  await writeFile(homeProbe, SECRET);
  process.env.AIDEV_ESCAPE_PROBE = SECRET;
  // Unix sockets of the host, where services like PostgreSQL listen.
  hostSockets = [path.join(aidevDir, 'service.sock')];
  if (existsSync('/run')) hostSockets.push(`/run/aidev-escape-${process.pid}.sock`);
  for (const socketPath of hostSockets) {
    const server = createServer(answer);
    await listen(server, socketPath);
    await chmod(socketPath, 0o777);
    sockets.push(server);
  }
  tcp = createServer(answer);
  await listen(tcp, 0);
  tcpPort = (tcp.address() as { port: number }).port;
  registry = createHttpServer((_req, res) => res.end('registry says hi'));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryPort = (registry.address() as { port: number }).port;
});

afterAll(async () => {
  delete process.env.AIDEV_ESCAPE_PROBE;
  for (const server of [...sockets, tcp]) server.close();
  registry.close();
  await rm(homeProbe, { force: true });
  await rm(aidevDir, { recursive: true, force: true });
});

const policy = (limits: Partial<SandboxLimits> = {}, more: Partial<SandboxPolicy> = {}) => ({
  ...DEFAULT_SANDBOX_POLICY,
  ...more,
  limits: { ...DEFAULT_SANDBOX_POLICY.limits, ...limits },
});

const run = (command: string, extra: Partial<SandboxedCommand> = {}) =>
  runSandboxed({
    cwd: workspace,
    command,
    mode: 'bubblewrap',
    timeoutMs: 30_000,
    maxOutputBytes: 256 * 1024,
    logger,
    ...extra,
  });

const connectProbe = (target: string) =>
  `node -e "require('net').connect(${target}).on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(7) })"`;

describe.skipIf(!hasBwrap)('sandbox escapes', () => {
  it('cannot connect to the host’s Unix sockets (PostgreSQL’s among them)', async () => {
    for (const socketPath of hostSockets) {
      const result = await run(connectProbe(JSON.stringify(socketPath).replaceAll('"', "'")));
      expect(result.stdout).not.toContain('CONNECTED');
      expect(result.exitCode).toBe(7);
    }
    if (existsSync('/run/postgresql/.s.PGSQL.5432')) {
      const psql = await run('psql -h /run/postgresql -U postgres -c "select 1" 2>&1; ls /run');
      expect(psql.stdout).not.toMatch(/\(1 row\)/);
      expect(psql.stdout).toMatch(/No such file|could not connect/);
    }
    // Outside the sandbox the probe connects: the test would notice a broken probe.
    const outside = await run(connectProbe(`'${hostSockets[0] ?? ''}'`), { mode: 'none' });
    expect(outside.stdout).toContain('CONNECTED');
  });

  it('sees no host secret: /etc/shadow, home directories, /root, aidev’s .env and settings', async () => {
    const result = await run(
      [
        'cat /etc/shadow',
        `cat ${homeProbe}`,
        `cat ${path.join(aidevDir, '.env')}`,
        `cat ${path.join(aidevDir, 'aidev.config.yaml')}`,
        'cat /etc/gitconfig /etc/npmrc /etc/pip.conf',
        'ls /home /root /run /var/run /srv',
      ].join('; '),
    );
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stderr).not.toContain(SECRET);
    expect(result.stdout).not.toMatch(/root:[^:]*:\d+:/); // no shadow line
    expect(result.stdout.trim()).toBe('/home:\nsandbox'); // /home holds only its own home
  });

  it('sees no other working copy and none of aidev’s data directory', async () => {
    const result = await run(
      `ls ${path.join(aidevDir, '.aidev', 'workspaces')}; cat ${path.join(otherCopy, 'secret.ts')}; ls ${aidevDir}`,
    );
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain('run-b');
    expect(result.stdout).not.toContain('.env');
  });

  it('finds nothing of aidev’s environment, not even in /proc/1/environ', async () => {
    const result = await run('cat /proc/1/environ | tr "\\0" "\\n"; env; ls /proc');
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain('AIDEV_ESCAPE_PROBE');
    // Its /proc is its own: only its own few processes.
    const pids = result.stdout.split('\n').filter((line) => /^\d+$/.test(line));
    expect(pids.length).toBeLessThan(10);
  });

  it.skipIf(!asRoot)('never runs code as root, with no capabilities left', async () => {
    const result = await run('id -u; grep CapEff /proc/self/status');
    expect(result.stdout).toMatch(/^\d+\nCapEff:\s+0+\n$/);
    expectSandboxUser(result.stdout);
  });

  it('a test command has no network: not the host’s services, not a registry', async () => {
    const result = await run(
      `${connectProbe(`${tcpPort}, '127.0.0.1'`)}; ${connectProbe(`5432, '127.0.0.1'`)}; curl -sS -m 5 https://registry.npmjs.org 2>&1 | head -1`,
    );
    expect(result.stdout).not.toContain('CONNECTED');
    expect(result.stdout).toContain('ECONNREFUSED');
    expect(result.stdout).toMatch(/curl: \(\d+\)/);
  });

  describe('a setup command', () => {
    const setup = (command: string, proxy: SandboxedCommand['proxy'] = {}) =>
      run(command, {
        network: true,
        policy: policy({}, { setupHosts: ['registry.test'] }),
        proxy: { ports: [registryPort], ...proxy },
      });
    const viaProxy = (host: string) =>
      `curl -sS -m 10 -p http://${host}:${registryPort}/ 2>&1; echo`;
    const toLocalRegistry = {
      resolve: () => Promise.resolve(['127.0.0.1']),
      addressAllowed: (address: string) => address === '127.0.0.1',
    };

    it('reaches an allowed registry through aidev’s proxy', async () => {
      const result = await setup(viaProxy('registry.test'), toLocalRegistry);
      expect(result.stdout).toContain('registry says hi');
      expect(result.refusedHosts).toEqual([]);
    });

    it('reaches no host outside the allow-list, and says which it refused', async () => {
      const result = await setup(viaProxy('evil.example'), toLocalRegistry);
      expect(result.stdout).not.toContain('registry says hi');
      expect(result.stdout).toContain('403');
      expect(result.refusedHosts).toEqual(['evil.example']);
    });

    it('reaches no loopback service, even by an allowed name that resolves there', async () => {
      const rebinding = await setup(viaProxy('registry.test'), {
        resolve: () => Promise.resolve(['127.0.0.1']),
      });
      expect(rebinding.stdout).not.toContain('registry says hi');
      expect(rebinding.refusedHosts).toEqual(['registry.test']);
      const direct = await setup(
        `${connectProbe(`${tcpPort}, '127.0.0.1'`)}; ${connectProbe(`5432, '127.0.0.1'`)}; curl -sS -m 5 -p http://127.0.0.1:${registryPort}/ 2>&1; echo`,
        toLocalRegistry,
      );
      expect(direct.stdout).not.toContain('CONNECTED');
      expect(direct.stdout).not.toContain('registry says hi');
    });

    it('sees the same nothing of the host as a test command', async () => {
      const result = await setup(`cat ${homeProbe} ${path.join(aidevDir, '.env')}; ls /run`);
      expect(result.stdout).not.toContain(SECRET);
    });
  });

  describe('resource limits', () => {
    it('stops a fork bomb at the process limit', async () => {
      const result = await run(
        '(for i in $(seq 1 200); do sleep 30 & done) 2>/dev/null; ls /proc | grep -c "^[0-9]"',
        { policy: policy({ processes: 32 }), timeoutMs: 20_000 },
      );
      expect(result.timedOut).toBe(false);
      expect(Number(result.stdout.trim())).toBeLessThanOrEqual(40);
    });

    it('stops a memory bomb at the memory limit', async () => {
      const allocate = (mb: number) =>
        `node -e "const b = Buffer.alloc(${mb} * 1024 * 1024, 1); console.log('got', b.length >> 20)"`;
      const result = await run(`${allocate(512)} 2>/dev/null || echo refused; ${allocate(32)}`, {
        policy: policy({ memoryBytes: 256 * MiB }),
      });
      expect(result.stdout).toBe('refused\ngot 32\n');
    });

    it('keeps /tmp and home to their size', async () => {
      const result = await run(
        'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>/dev/null || echo tmp full; dd if=/dev/zero of=$HOME/fill bs=1M count=64 2>/dev/null || echo home full; du -m /tmp/fill $HOME/fill',
        { policy: policy({ tmpBytes: 16 * MiB, homeBytes: 16 * MiB }) },
      );
      expect(result.stdout).toContain('tmp full\nhome full\n');
    });

    it('writes no file over the size limit', async () => {
      const result = await run(
        'dd if=/dev/zero of=big.bin bs=1M count=64 2>/dev/null || echo cut',
        { policy: policy({ fileSizeBytes: 8 * MiB }) },
      );
      expect(result.stdout).toBe('cut\n');
      expect((await stat(path.join(workspace, 'big.bin'))).size).toBeLessThanOrEqual(8 * MiB);
      await rm(path.join(workspace, 'big.bin'));
    });

    it('stops a process at its CPU time', async () => {
      const result = await run('node -e "for (;;) {}"; echo "exit $?"', {
        policy: policy({ cpuSeconds: 1 }),
      });
      expect(result.timedOut).toBe(false);
      expect(result.stdout).toMatch(/exit (137|152|158)/); // SIGXCPU or SIGKILL
    });
  });

  describe('what a command leaves behind for the file tools', () => {
    it('a FIFO is refused at once, never read or written through', async () => {
      await run('mkfifo pipe');
      const files = await Workspace.open(workspace);
      await expect(files.read('pipe')).rejects.toMatchObject({ code: 'not_a_file' });
      await expect(files.write('pipe', 'x')).rejects.toMatchObject({ code: 'not_a_file' });
    });

    it('a sparse 400 MB file is refused by size, not loaded', async () => {
      await run('truncate -s 400M sparse.bin');
      const files = await Workspace.open(workspace);
      const before = process.memoryUsage().rss;
      await expect(files.read('sparse.bin')).rejects.toMatchObject({
        code: 'file_too_large',
        message: expect.stringContaining('419430400 bytes') as unknown as string,
      });
      expect(process.memoryUsage().rss - before).toBeLessThan(100 * MiB);
    });
  });
});
