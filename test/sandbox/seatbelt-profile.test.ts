import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_POLICY } from '../../src/sandbox/sandbox-policy.js';
import {
  CLOSE_INHERITED_FDS,
  limitsScript,
  seatbeltCommand,
} from '../../src/sandbox/seatbelt-command.js';
import { seatbeltProfile, type SeatbeltPlan } from '../../src/sandbox/seatbelt-profile.js';
import { decide, parseProfile } from '../support/seatbelt-evaluator.js';

// A Mac's paths: a data directory in the user's home, a temporary directory under /var/folders.
const HOME = '/Users/dev';
const DATA = `${HOME}/.aidev`;
const CWD = `${DATA}/workspaces/run-1/repo`;
const SCRATCH = '/private/var/folders/ab/x7y/T/aidev-sandbox-Q1';
const NODE = '/opt/homebrew/Cellar/node/22.11.0';
const plan: SeatbeltPlan = {
  cwd: CWD,
  tmp: `${SCRATCH}/tmp`,
  home: `${SCRATCH}/home`,
  readPaths: [NODE],
};
const profile = seatbeltProfile(plan);
const read = (path: string, p = profile) => decide(p, { operation: 'file-read-data', path });
const write = (path: string, p = profile) => decide(p, { operation: 'file-write-create', path });
const connect = (remote: string, p = profile) =>
  decide(p, { operation: 'network-outbound', remote });

describe('the Seatbelt profile of a command', () => {
  it('is one well-formed profile that denies whatever it does not allow', () => {
    const forms = parseProfile(profile);
    expect(forms.slice(0, 2)).toEqual([
      ['version', '1'],
      ['deny', 'default'],
    ]);
    expect(decide(profile, { operation: 'iokit-open' })).toBe('deny');
    expect(decide(profile, { operation: 'file-mount', path: CWD })).toBe('deny');
  });

  it('lets it read the system’s programs, a few files of /etc, Node.js and its own directories', () => {
    for (const path of [
      '/usr/bin/git',
      '/bin/sh',
      '/usr/lib/libSystem.B.dylib',
      '/System/Library/Frameworks/Security.framework/Security',
      '/Library/Developer/CommandLineTools/usr/bin/git',
      '/private/var/db/dyld/dyld_shared_cache_arm64e',
      '/private/etc/ssl/cert.pem',
      '/private/etc/services',
      '/private/etc/python3.12/sitecustomize.py',
      '/opt/homebrew/bin/python3',
      `${NODE}/bin/node`,
      `${CWD}/src/cart.ts`,
      `${SCRATCH}/tmp/build.log`,
      `${SCRATCH}/home/.npmrc`,
      '/dev/urandom',
    ])
      expect(read(path), path).toBe('allow');
  });

  it('lets it read nothing else: no home, keys, aidev data, other working copies, host sockets or Homebrew databases', () => {
    for (const path of [
      `${HOME}/.ssh/id_ed25519`,
      `${HOME}/.aws/credentials`,
      `${HOME}/.npmrc`,
      `${HOME}/Library/Keychains/login.keychain-db`,
      `${DATA}/pglite/base/1/1259`,
      `${DATA}/encryption.key`,
      `${DATA}/workspaces/run-2/repo/.env`,
      `${DATA}/workspaces/run-1/repo-other/x`,
      '/private/etc/master.passwd',
      '/private/etc/sudoers',
      '/private/etc/hosts',
      '/Library/Keychains/System.keychain',
      '/usr/local/var/postgres/pg_hba.conf',
      '/usr/local/etc/redis.conf',
      '/opt/homebrew/var/postgresql@16/postgresql.conf',
      '/opt/homebrew/etc/my.cnf',
      '/private/var/run/docker.sock',
      '/private/tmp/another-program/state',
      '/Volumes/Backup/secrets.txt',
      '/private/var/folders/ab/x7y/T/aidev-sandbox-Q2/home/.cache',
    ])
      expect(read(path), path).toBe('deny');
  });

  it('lets path look-ups pass through the directories above what it may read, without their contents', () => {
    for (const path of ['/', '/Users', HOME, DATA, `${DATA}/workspaces`])
      expect(decide(profile, { operation: 'file-read-metadata', path }), path).toBe('allow');
    expect(read(DATA)).toBe('deny');
    expect(decide(profile, { operation: 'file-read-metadata', path: `${DATA}/aidev.db` })).toBe(
      'deny',
    );
  });

  it('lets it write only its working copy, its own /tmp and home, and /dev/null', () => {
    for (const path of [
      `${CWD}/src/cart.ts`,
      `${CWD}/node_modules/.cache/x`,
      `${SCRATCH}/tmp/t`,
      `${SCRATCH}/home/.npm/_cacache/x`,
    ])
      expect(write(path), path).toBe('allow');
    expect(decide(profile, { operation: 'file-write-data', path: '/dev/null' })).toBe('allow');
    expect(write('/dev/null')).toBe('deny');
    for (const path of [
      `${DATA}/workspaces/run-1/escape`,
      `${DATA}/workspaces/run-2/repo/x`,
      `${HOME}/.zshrc`,
      `${HOME}/Library/LaunchAgents/evil.plist`,
      '/private/tmp/x',
      '/usr/local/bin/node',
      `${NODE}/bin/node`,
      '/private/etc/hosts',
    ])
      expect(write(path), path).toBe('deny');
  });

  it('makes the working copy read-only for an agent that only reads', () => {
    const readOnly = seatbeltProfile({ ...plan, readOnly: true });
    expect(read(`${CWD}/src/cart.ts`, readOnly)).toBe('allow');
    expect(write(`${CWD}/src/cart.ts`, readOnly)).toBe('deny');
    expect(write(`${SCRATCH}/tmp/t`, readOnly)).toBe('allow');
  });

  it('has no network at all, not even this machine’s services, unless it may use the proxy', () => {
    for (const remote of ['localhost:5432', 'localhost:3128', '*:443', '*:53'])
      expect(connect(remote), remote).toBe('deny');
    expect(decide(profile, { operation: 'network-bind', remote: 'localhost:8080' })).toBe('deny');
    expect(
      decide(profile, { operation: 'network-outbound', path: '/private/var/run/docker.sock' }),
    ).toBe('deny');
    expect(
      decide(profile, { operation: 'network-outbound', path: '/private/var/run/mDNSResponder' }),
    ).toBe('deny');
    // A Unix socket a test makes for itself, in its own /tmp.
    expect(decide(profile, { operation: 'network-bind', path: `${SCRATCH}/tmp/s.sock` })).toBe(
      'allow',
    );
  });

  it('reaches aidev’s proxy on its loopback port, and nothing else, when it may reach registries', () => {
    const withProxy = seatbeltProfile({ ...plan, proxyPort: 50123 });
    expect(connect('localhost:50123', withProxy)).toBe('allow');
    for (const remote of ['localhost:5432', 'localhost:50124', '*:443'])
      expect(connect(remote, withProxy), remote).toBe('deny');
  });

  it('reaches only the Mach services and kernel values a toolchain needs', () => {
    const mach = (name: string) => decide(profile, { operation: 'mach-lookup', name });
    expect(mach('com.apple.system.opendirectoryd.libinfo')).toBe('allow');
    expect(mach('com.apple.trustd.agent')).toBe('allow');
    for (const name of [
      'com.apple.pasteboard.1',
      'com.apple.securityd',
      'com.apple.windowserver.active',
      'com.apple.cfprefsd.daemon',
    ])
      expect(mach(name), name).toBe('deny');
    const sysctl = (name: string) => decide(profile, { operation: 'sysctl-read', name });
    expect(sysctl('hw.ncpu')).toBe('allow');
    expect(sysctl('kern.procargs2')).toBe('deny');
    expect(decide(profile, { operation: 'sysctl-write', name: 'kern.hostname' })).toBe('deny');
  });

  it('signals and inspects only its own processes', () => {
    for (const operation of ['signal', 'process-info-pidinfo']) {
      expect(decide(profile, { operation, target: 'same-sandbox' })).toBe('allow');
      expect(decide(profile, { operation, target: 'others' })).toBe('deny');
    }
  });

  it('refuses a path that could end a string literal and add rules of its own', () => {
    for (const cwd of ['/Users/dev/x") (allow default) ("', '/Users/dev/a\\b', '/tmp/a\nb', 'rel'])
      expect(() => seatbeltProfile({ ...plan, cwd })).toThrow(
        /Seatbelt profiles take absolute paths/,
      );
  });
});

describe('the sandbox-exec command', () => {
  const invocation = () =>
    seatbeltCommand({
      cwd: CWD,
      command: `npm test -- --grep "it's"`,
      policy: DEFAULT_SANDBOX_POLICY,
      toolPath: [],
      tmp: `${SCRATCH}/tmp`,
      home: `${SCRATCH}/home`,
      proxyPort: 50123,
    });

  it('runs /usr/bin/sandbox-exec with the profile, and the command as an argument, never spliced in', () => {
    const { executable, args } = invocation();
    expect(executable).toBe('/usr/bin/sandbox-exec');
    expect(args[0]).toBe('-p');
    expect(args[1]).toContain('(deny default)');
    expect(args[1]).toContain('(allow network-outbound (remote ip "localhost:50123"))');
    expect(args.slice(2, 4)).toEqual(['/bin/bash', '-c']);
    expect(args.slice(-2)).toEqual(['aidev-sandbox', `npm test -- --grep "it's"`]);
  });

  it('gives the command the scrubbed environment, its own home and TMPDIR, and the proxy', () => {
    process.env.ANTHROPIC_API_KEY = 'sk-ant-seatbelt-secret';
    try {
      const { env } = invocation();
      expect(Object.keys(env).sort()).toEqual(
        [
          'CI',
          'HOME',
          'HTTPS_PROXY',
          'HTTP_PROXY',
          'LANG',
          'PATH',
          'TMPDIR',
          'http_proxy',
          'https_proxy',
          'npm_config_https_proxy',
          'npm_config_proxy',
        ].sort(),
      );
      expect(env).toMatchObject({
        HOME: `${SCRATCH}/home`,
        TMPDIR: `${SCRATCH}/tmp`,
        HTTPS_PROXY: 'http://127.0.0.1:50123',
      });
      expect(JSON.stringify(invocation())).not.toContain('sk-ant-seatbelt-secret');
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
    }
  });

  // The shell part runs the same on Linux: bash sets the limits and closes inherited descriptors.
  it('sets the file size and CPU limits and closes inherited descriptors before the command runs', async () => {
    const script = `${limitsScript(DEFAULT_SANDBOX_POLICY.limits)}; ${CLOSE_INHERITED_FDS}; exec /bin/sh -c "$1"`;
    const probe =
      'ulimit -f; ulimit -t; ulimit -c; [ -e /dev/fd/3 ] && echo fd3-open || echo fd3-closed';
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/bash', ['-c', script, 'aidev-sandbox', probe], {
        stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
      });
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    });
    // sh reports the file size in 512-byte blocks (POSIX): 512 MiB.
    expect(output.split('\n')).toEqual([
      String(DEFAULT_SANDBOX_POLICY.limits.fileSizeBytes / 512),
      String(DEFAULT_SANDBOX_POLICY.limits.cpuSeconds),
      '0',
      'fd3-closed',
      '',
    ]);
  });
});
