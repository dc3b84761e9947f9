import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSandboxUser } from './support/sandbox-user.js';
import type { AgentTool } from '../../src/agents/model-loop.js';
import { bashTool, type BashToolOptions } from '../../src/agents/tools/bash-tool.js';
import { workingCopyOf } from '../../src/git/working-copy.js';
import { findExecutable } from '../../src/sandbox/find-executable.js';
import { DEFAULT_SANDBOX_POLICY, type SandboxLimits } from '../../src/sandbox/sandbox-policy.js';
import { Workspace } from '../../src/sandbox/workspace.js';
import { REPO_ROOT, childEnv } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';

/**
 * What a model (or a prompt hidden in a repository) gets by asking the agent's bash tool to reach
 * the host: each probe runs as the model would run it, through the tool, in bubblewrap, and each
 * must come back empty or refused. Where a probe could fail for a reason of its own, the same
 * probe is run without the sandbox to show that it works. In CI a missing bubblewrap fails these
 * tests: a sandbox that is not there is never a skip.
 */
const SECRET = 'sk-ant-bash-probe-secret-0123456789';
const SECRETS: Record<string, string> = {
  ANTHROPIC_API_KEY: SECRET,
  SLACK_BOT_TOKEN: 'xoxb-bash-probe-0123456789',
  GITHUB_TOKEN: 'ghp_bashProbe0123456789abcdefghijklmnop',
};
const hasBwrap = findExecutable('bwrap', process.env.PATH) !== undefined;
const asRoot = process.getuid?.() === 0;
const MiB = 1024 * 1024;
const POSTGRES_SOCKET = '/var/run/postgresql/.s.PGSQL.5432';
const ABSTRACT_SOCKET = `\0aidev-bash-probe-${process.pid}`;
const { logger, lines: logLines } = capturingLogger();

/** A stand-in for aidev's directory: .env, data directory, working copies, private git dirs. */
let aidevDir: string;
let dataDir: string;
let ours: string;
let privateGit: string;
let otherCopy: string;
let homeProbe: string;
let workspace: Workspace;
let savedEnv: Record<string, string | undefined>;
const servers: Server[] = [];
let servicePort = 0;
let postgresListens = false;
let bash: AgentTool;
let unsandboxed: AgentTool;

/** A service that greets whoever connects (the probes exit at once: resets are expected). */
function greet(socket: Socket): void {
  socket.on('error', () => undefined);
  socket.end(`service says ${SECRET}`);
}

async function serve(where: string | number): Promise<Server> {
  const server = createServer(greet);
  await new Promise<void>((resolve) =>
    typeof where === 'string'
      ? server.listen(where, resolve)
      : server.listen(where, '0.0.0.0', resolve),
  );
  servers.push(server);
  return server;
}

/** Whether something accepts connections there, seen from this (unsandboxed) process. */
const reachable = (target: { port: number; host: string } | { path: string }) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(target);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

beforeAll(async () => {
  if (!hasBwrap && process.env.CI === 'true')
    throw new Error('bubblewrap is required in CI (.ci/run installs it)');
  aidevDir = await fs.mkdtemp(path.join(os.tmpdir(), 'aidev-bash-probes-'));
  await fs.chmod(aidevDir, 0o755);
  await fs.writeFile(path.join(aidevDir, '.env'), `ANTHROPIC_API_KEY=${SECRET}\n`);
  dataDir = path.join(aidevDir, '.aidev');
  ours = path.join(dataDir, 'workspaces', 'run-a', 'implement');
  otherCopy = path.join(dataDir, 'workspaces', 'run-b', 'implement');
  privateGit = workingCopyOf(ours).gitDir;
  await fs.mkdir(path.join(ours, '.git'), { recursive: true });
  await fs.writeFile(path.join(ours, 'index.js'), 'console.log("shop");\n');
  await fs.mkdir(path.join(privateGit, 'hooks'), { recursive: true });
  await fs.writeFile(path.join(privateGit, 'config'), `[credential]\n\thelper = store ${SECRET}\n`);
  await fs.mkdir(otherCopy, { recursive: true });
  await fs.writeFile(path.join(otherCopy, 'secret.ts'), `export const key = '${SECRET}';\n`);
  await fs.writeFile(path.join(dataDir, 'keyring.json'), `{"key":"${SECRET}"}\n`);
  homeProbe = path.join(os.homedir(), `.aidev-bash-probe-${process.pid}`);
  await fs.writeFile(homeProbe, SECRET);
  savedEnv = Object.fromEntries(Object.keys(SECRETS).map((key) => [key, process.env[key]]));
  Object.assign(process.env, SECRETS);
  servicePort = (((await serve(0)).address() as { port: number }) ?? { port: 0 }).port;
  await serve(ABSTRACT_SOCKET);
  await serve(path.join(aidevDir, 'service.sock'));
  postgresListens = await reachable({ port: 5432, host: '127.0.0.1' });
  workspace = await Workspace.open(ours);
  bash = tool({ workspace });
  unsandboxed = tool({ workspace, sandbox: 'none' });
});

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv ?? {}))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  for (const server of servers) server.close();
  await fs.rm(homeProbe, { force: true });
  await fs.rm(aidevDir, { recursive: true, force: true });
});

function tool(options: Partial<BashToolOptions> & Pick<BashToolOptions, 'workspace'>): AgentTool {
  return bashTool({ sandbox: 'bubblewrap', logger, timeoutMs: 30_000, ...options });
}

/** Runs a probe through the tool, as the model would, and returns what the model reads. */
async function probe(command: string, on = bash): Promise<string> {
  return (await on.run({ command })).content;
}

/** A probe that prints CONNECTED or the error's code for a node `net.connect` target. */
const connectProbe = (target: string) =>
  `node -e "require('net').connect(${target}).on('connect', () => { console.log('CONNECTED'); process.exit(0) }).on('error', (e) => { console.log(e.code); process.exit(7) })"`;

/** Nothing of any secret, by value or by name, in what the model reads or aidev logged. */
function expectNoSecret(seen: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(seen).not.toContain(value);
    expect(seen).not.toContain(name);
  }
  for (const value of Object.values(SECRETS)) expect(logLines.join('\n')).not.toContain(value);
}

/** This machine's own addresses other than loopback, where a service on 0.0.0.0 listens too. */
const hostAddresses = () =>
  Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a?.address ?? '');

describe.skipIf(!hasBwrap)('the bash tool’s sandbox, probed from inside', () => {
  it('finds none of aidev’s secrets in its environment, /proc/1/environ or its parent’s', async () => {
    const seen = await probe(
      [
        'env',
        'cat /proc/1/environ | tr "\\0" "\\n"',
        'echo "parent $PPID"; cat /proc/$PPID/environ | tr "\\0" "\\n"',
        `cat /proc/${process.pid}/environ /proc/${process.ppid}/environ | tr "\\0" "\\n"`,
        'cat /proc/*/environ 2>/dev/null | tr "\\0" "\\n"',
        'grep -rs bash-probe /proc/*/cmdline /proc/*/environ; echo searched',
      ].join('; '),
    );
    expectNoSecret(seen);
    expect(seen).toMatch(/^PWD=.*\nHOME=\/home\/sandbox\n/m);
    expect(seen).toContain('searched');
    // The sandbox's own /proc: aidev's process is not among its processes.
    expect(await probe('ls /proc | grep -c "^[0-9]"')).toMatch(/^\d\n/);
  });

  it.skipIf(!asRoot)(
    'runs as the sandbox’s user, with no capability and no way to gain one',
    async () => {
      const seen = await probe(
        'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs):" /proc/self/status; su -c id root </dev/null 2>&1 | head -1; sudo -n id 2>&1 | head -1',
      );
      expect(seen).toMatch(/^\d+\nCapEff:\s+0+\nCapBnd:\s+0+\nNoNewPrivs:\s+1\n/);
      expectSandboxUser(seen);
      expect(seen).not.toMatch(/uid=0\(root\)/);
    },
  );

  it('reaches no TCP service of the host: not Postgres on 127.0.0.1:5432, not by its own addresses', async () => {
    const targets = [`5432, '127.0.0.1'`, `${servicePort}, '127.0.0.1'`];
    targets.push(...hostAddresses().map((address) => `${servicePort}, '${address}'`));
    for (const target of targets) {
      const seen = await probe(`${connectProbe(target)}; exit 0`);
      expect(seen).not.toContain('CONNECTED');
      expect(seen).toMatch(/^(ECONNREFUSED|ENETUNREACH)\n/);
    }
    expect(await probe(`curl -sS -m 5 http://127.0.0.1:${servicePort}/ 2>&1`)).toMatch(
      /curl: \(7\)/,
    );
    // Without the sandbox the same probes connect: a broken probe would show here.
    expect(await probe(connectProbe(`${servicePort}, '127.0.0.1'`), unsandboxed)).toMatch(
      /^CONNECTED\n/,
    );
    if (postgresListens)
      expect(await probe(connectProbe(`5432, '127.0.0.1'`), unsandboxed)).toMatch(/^CONNECTED\n/);
  });

  it('reaches no address outside, and resolves no name', async () => {
    const seen = await probe(
      `${connectProbe(`443, '1.1.1.1'`)}; ${connectProbe(`53, '8.8.8.8'`)}; curl -sS -m 5 https://registry.npmjs.org/ 2>&1; getent hosts registry.npmjs.org || echo "no name"; exit 0`,
    );
    expect(seen).not.toContain('CONNECTED');
    expect(seen).toMatch(
      /^ENETUNREACH\nENETUNREACH\ncurl: \(6\) Could not resolve host: registry\.npmjs\.org\nno name\n/,
    );
    expect(await probe('ip -o addr | cut -d" " -f2 | sort -u')).toMatch(/^lo\n\[exit code 0/);
  });

  it('reaches no Unix socket of the host: not Postgres’s, not an abstract one, not aidev’s', async () => {
    const seen = await probe(
      [
        connectProbe(`'${POSTGRES_SOCKET}'`),
        connectProbe(`'${path.join(aidevDir, 'service.sock')}'`),
        connectProbe(JSON.stringify(ABSTRACT_SOCKET).replaceAll('"', "'")),
        'psql -h /var/run/postgresql -U postgres -c "select 1" 2>&1 | head -1',
        'ls /run /var/run 2>&1',
        'exit 0',
      ].join('; '),
    );
    expect(seen).not.toContain('CONNECTED');
    expect(seen).toMatch(/^ENOENT\nENOENT\nECONNREFUSED\n/);
    expect(seen).not.toMatch(/\(1 row\)/);
    expect(seen).toContain("ls: cannot access '/run': No such file or directory");
    // Outside, the probes connect (the abstract socket, and Postgres's when it runs here).
    expect(
      await probe(connectProbe(JSON.stringify(ABSTRACT_SOCKET).replaceAll('"', "'")), unsandboxed),
    ).toMatch(/^CONNECTED\n/);
    if (existsSync(POSTGRES_SOCKET))
      expect(await probe(connectProbe(`'${POSTGRES_SOCKET}'`), unsandboxed)).toMatch(
        /^CONNECTED\n/,
      );
  });

  it('sees nothing of /root, /home, /etc/shadow or the host’s home of aidev', async () => {
    const seen = await probe(
      [
        'cat /etc/shadow /etc/gshadow /etc/sudoers',
        `cat ${homeProbe}`,
        'ls -a /root',
        'ls /home',
        'cat /root/.ssh/id_rsa /root/.bash_history /root/.npmrc /root/.gitconfig',
        'cat /etc/passwd',
        'echo "HOME=$HOME"; ls -A "$HOME"',
      ].join('; '),
    );
    expect(seen).not.toContain(SECRET);
    expect(seen).not.toMatch(/^root:[^x:][^:]*:\d+:/m); // no line of a shadow file
    expect(seen).toContain('cat: /etc/shadow: No such file or directory');
    expect(seen).toContain("ls: cannot access '/root': No such file or directory");
    expect(seen).toMatch(/\nsandbox\n/); // /home holds only the sandbox's own home
    expect(seen).toContain(
      'root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:', // its own passwd, not the host's
    );
    expect(seen).toMatch(/HOME=\/home\/sandbox\n\[exit code/);
  });

  it('sees nothing of aidev’s data directory, another working copy or its own private git dir', async () => {
    const seen = await probe(
      [
        `cat ${path.join(aidevDir, '.env')} ${path.join(dataDir, 'keyring.json')}`,
        `ls -A ${aidevDir} ${dataDir} ${path.join(dataDir, 'workspaces')} ..`,
        `cat ${path.join(otherCopy, 'secret.ts')} ../../run-b/implement/secret.ts`,
        `ls -A ${privateGit}; cat ${path.join(privateGit, 'config')} ../implement.aidev-git/config`,
        'grep -rs sk-ant / --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr 2>/dev/null | head -3',
        'echo searched',
      ].join('; '),
    );
    expect(seen).not.toContain(SECRET);
    // Only the directories leading to its own working copy, each empty but for the next one.
    expect(seen).toContain(
      `..:\nimplement\n\n${aidevDir}:\n.aidev\n\n${dataDir}:\nworkspaces\n\n${path.join(dataDir, 'workspaces')}:\nrun-a\n`,
    );
    expect(seen).toContain(`ls: cannot access '${privateGit}': No such file or directory`);
    expect(seen).toMatch(/\nsearched\n/);
  });

  it('writes nothing outside the working copy', async () => {
    const marker = `aidev-bash-probe-${process.pid}`;
    const seen = await probe(
      [
        'echo x > ../escaped',
        `mkdir -p ${privateGit}/hooks && echo '#!/bin/sh' > ${privateGit}/hooks/pre-commit`,
        `echo '[core] hooksPath = /tmp' >> ${path.join(privateGit, 'config')}`,
        `echo x > ${path.join(dataDir, 'keyring.json')}`,
        `echo x > ${path.join(otherCopy, 'planted.ts')}`,
        'touch /usr/planted /etc/planted /planted',
        `echo x > /tmp/${marker}; echo x > $HOME/${marker}`,
        'ln /usr/bin/env hardlink',
        'ln -s /etc/passwd passwd-link && echo linked',
        'exit 0',
      ].join('; '),
    );
    expect(seen).toMatch(/Permission denied|Read-only file system|No such file or directory/);
    expect(seen).toContain('Invalid cross-device link');
    await expect(fs.access(path.join(dataDir, 'workspaces', 'run-a', 'escaped'))).rejects.toThrow();
    expect(await fs.readdir(privateGit)).toEqual(['config', 'hooks']);
    expect(await fs.readdir(path.join(privateGit, 'hooks'))).toEqual([]);
    expect(await fs.readFile(path.join(privateGit, 'config'), 'utf8')).toBe(
      `[credential]\n\thelper = store ${SECRET}\n`,
    );
    expect(await fs.readFile(path.join(dataDir, 'keyring.json'), 'utf8')).toBe(
      `{"key":"${SECRET}"}\n`,
    );
    expect(await fs.readdir(otherCopy)).toEqual(['secret.ts']);
    await expect(fs.access(path.join(os.tmpdir(), marker))).rejects.toThrow();
    await expect(fs.access(path.join(os.homedir(), marker))).rejects.toThrow();
    await expect(fs.access('/planted')).rejects.toThrow();
    // A link it leaves is only a name: aidev's own tools refuse to follow it out.
    expect(seen).toContain('linked');
    await expect((await Workspace.open(ours)).read('passwd-link')).rejects.toMatchObject({
      code: 'path_refused',
    });
  });

  it('inherits no descriptor of aidev’s process beyond stdin, stdout and stderr', async () => {
    // aidev started with a descriptor it did not open (a supervisor's pipe, given here as fd 100).
    // Node marks only the first run of descriptors close-on-exec at start-up: one past a gap
    // goes to every child it spawns. A probe writes to it and lists what it holds.
    const LEAK_FD = 100;
    const stdio = Array.from({ length: LEAK_FD + 1 }, (_, fd) =>
      fd === 1 || fd === 2 || fd === LEAK_FD ? 'pipe' : 'ignore',
    );
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'test/security/support/bash-tool-child.ts'),
        ours,
        `echo LEAKED >&${LEAK_FD}; ls -l /proc/self/fd | tail -n +2`,
      ],
      { cwd: REPO_ROOT, env: childEnv(), stdio },
    );
    const received: Buffer[] = [];
    const streams: readonly (Readable | Writable | null | undefined)[] = child.stdio;
    streams[LEAK_FD]?.on('data', (chunk: Buffer) => received.push(chunk));
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    const { content } = JSON.parse(out) as { content: string };
    expect(Buffer.concat(received).toString()).toBe('');
    expect(content).toContain(`${LEAK_FD}: Bad file descriptor`);
    const fds = content
      .split('\n')
      .filter((line) => line.includes(' -> '))
      .filter((line) => !/ -> \/proc\/\d+\/fd$/.test(line)) // ls's own listing of the directory
      .map((line) => /(\d+) -> /.exec(line)?.[1]);
    expect(fds).toEqual(['0', '1', '2']);
  });

  describe('limits of the sandbox policy', () => {
    const limited = (limits: Partial<SandboxLimits>) =>
      tool({
        workspace,
        policy: {
          ...DEFAULT_SANDBOX_POLICY,
          limits: { ...DEFAULT_SANDBOX_POLICY.limits, ...limits },
        },
      });

    it('runs under the default policy’s limits: processes, file size, memory, CPU, no core dumps', async () => {
      const { limits } = DEFAULT_SANDBOX_POLICY;
      expect(await probe('ulimit -u; ulimit -f; ulimit -d; ulimit -t; ulimit -c')).toMatch(
        new RegExp(
          `^${limits.processes}\\n${limits.fileSizeBytes / 1024}\\n${limits.memoryBytes / 1024}\\n${limits.cpuSeconds}\\n0\\n`,
        ),
      );
    });

    it('stops a fork bomb at the process limit, and the tool answers', async () => {
      // The POSIX shell, which does not retry a failed fork; counted with no fork of its own.
      const seen = await probe(
        'sh -c \'for i in $(seq 1 100); do sleep 600 & done\' 2>/dev/null; n=0; for p in /proc/[0-9]*; do n=$((n + 1)); done; echo "$n processes"',
        limited({ processes: 24 }),
      );
      const count = Number(/^(\d+) processes\n\[exit code 0\]/.exec(seen)?.[1]);
      expect(count).toBeGreaterThan(1);
      expect(count).toBeLessThanOrEqual(24);
    });

    it('stops a file at the size limit, and says which limit killed the command', async () => {
      const seen = await probe(
        'head -c 20M /dev/zero > big.bin',
        limited({ fileSizeBytes: 8 * MiB }),
      );
      expect(seen).toMatch(
        /File size limit exceeded.*\n\[exit code 153: killed by SIGXFSZ \(the file size limit\)\]/,
      );
      expect((await fs.stat(path.join(ours, 'big.bin'))).size).toBeLessThanOrEqual(8 * MiB);
      await fs.rm(path.join(ours, 'big.bin'));
    });
  });
});
