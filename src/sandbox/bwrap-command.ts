import path from 'node:path';
import { extraReadOnlyDirs, SYSTEM_ROOTS, systemView } from './filesystem-view.js';
import { findExecutable } from './find-executable.js';
import { BRIDGE_SCRIPT, PROXY_PORT_INSIDE, PROXY_SOCKET_INSIDE, proxyEnv } from './proxy-bridge.js';
import type { SandboxPolicy } from './sandbox-policy.js';

/** The sandbox's home directory: private, empty at every command, size-limited. */
export const SANDBOX_HOME = '/home/sandbox';

/** Host programs the sandbox is built with. */
export interface SandboxTools {
  readonly bwrap: string;
  readonly prlimit: string;
  /** Only when aidev runs as root: drops to the sandbox's user inside. */
  readonly setpriv?: string;
}

export interface BwrapPlan {
  readonly cwd: string;
  readonly command: string;
  readonly policy: SandboxPolicy;
  readonly toolPath: readonly string[];
  /** A private directory holding the sandbox's passwd, group and hosts files. */
  readonly skeleton: string;
  /** The proxy's Unix socket, when the command may reach the allowed hosts. */
  readonly proxySocket?: string;
  /** aidev runs as root: no user namespace, the command runs as policy.uid after set-up. */
  readonly asRoot: boolean;
  /** The working copy is mounted read-only (an agent that only reads). */
  readonly readOnly?: boolean;
}

/** The environment a command gets: enough to run a toolchain, none of aidev's. */
export function sandboxEnv(toolPath: readonly string[], home: string): Record<string, string> {
  const nodeDir = path.dirname(process.execPath);
  return {
    PATH: [nodeDir, ...toolPath, '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
    HOME: home,
    LANG: 'C.UTF-8',
    CI: 'true',
    TMPDIR: '/tmp',
  };
}

/**
 * prlimit → bwrap → (setpriv →) inherited descriptors closed → (proxy bridge →) sh -c command.
 * Every namespace is new; the filesystem is built up from nothing: the read-only view of system
 * directories, the working copy read-write, a private /tmp and home of fixed size, a minimal
 * /dev, a /proc of its own.
 */
export function bwrapCommand(tools: SandboxTools, plan: BwrapPlan): [string, string[]] {
  const { limits } = plan.policy;
  const env = {
    ...sandboxEnv(plan.toolPath, SANDBOX_HOME),
    ...(plan.proxySocket === undefined ? {} : proxyEnv()),
  };
  const toolDirs = plan.toolPath.map((dir) => path.dirname(dir));
  const mounted = new Mounted([...SYSTEM_ROOTS, '/tmp', '/var', SANDBOX_HOME]);
  const bwrap = [
    // As root, bwrap makes no user namespace, so that the command can be handed to an
    // unprivileged user (a root-owned user namespace would exempt it from the process limit).
    ...(plan.asRoot
      ? ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try']
      : ['--unshare-all']),
    '--die-with-parent',
    '--new-session',
    ...systemView(),
    ...['passwd', 'group', 'hosts'].flatMap((name) => [
      '--ro-bind',
      path.join(plan.skeleton, name),
      `/etc/${name}`,
    ]),
    ...['--perms', '1777', '--size', String(limits.tmpBytes), '--tmpfs', '/tmp'],
    ...['--perms', '0777', '--size', String(limits.homeBytes), '--tmpfs', SANDBOX_HOME],
    ...['--dir', '/var', '--symlink', '../tmp', '/var/tmp'],
    ...['--dev', '/dev', '--proc', '/proc'],
    ...extraReadOnlyDirs([...toolDirs, ...plan.policy.readOnlyPaths]).flatMap((dir) =>
      mounted.bind('--ro-bind-try', dir),
    ),
    ...(plan.proxySocket === undefined
      ? []
      : mounted.bind('--bind', plan.proxySocket, PROXY_SOCKET_INSIDE)),
    ...mounted.bind(plan.readOnly === true ? '--ro-bind-try' : '--bind', plan.cwd),
    ...['--chdir', plan.cwd],
    '--clearenv',
    ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--',
    ...dropToUser(tools, plan),
    ...closeInheritedFds(),
    ...(plan.proxySocket === undefined
      ? []
      : [
          process.execPath,
          '-e',
          BRIDGE_SCRIPT,
          PROXY_SOCKET_INSIDE,
          String(PROXY_PORT_INSIDE),
          '--',
        ]),
    '/bin/sh',
    '-c',
    plan.command,
  ];
  const prlimit = [
    `--nproc=${limits.processes}`,
    `--data=${limits.memoryBytes}`,
    `--fsize=${limits.fileSizeBytes}`,
    `--cpu=${limits.cpuSeconds}`,
    '--core=0',
    '--',
    tools.bwrap,
  ];
  return [tools.prlimit, [...prlimit, ...bwrap]];
}

/**
 * Binds host paths at their own place, first making each missing parent a plain 0755 directory:
 * bwrap would make them 0700 and root's, which the sandbox's user could not pass through.
 */
class Mounted {
  private readonly dirs: Set<string>;
  constructor(existing: readonly string[]) {
    this.dirs = new Set(existing);
  }

  bind(how: '--bind' | '--ro-bind-try', source: string, dest = source): string[] {
    const parents: string[] = [];
    for (let p = path.dirname(dest); !this.dirs.has(p); p = path.dirname(p)) parents.unshift(p);
    for (const p of parents) this.dirs.add(p);
    this.dirs.add(dest);
    return [...parents.flatMap((p) => ['--perms', '0755', '--dir', p]), how, source, dest];
  }
}

const BASH = findExecutable('bash', '/usr/bin:/bin');

/**
 * Closes every file descriptor above stderr before anything of the command runs. Node passes a
 * child every descriptor its own process inherited without close-on-exec (a supervisor's pipe,
 * a socket of whoever started aidev), and bwrap and setpriv keep them: without this a command
 * could write to, or read from, whatever they lead to. bash closes any number; without bash, the
 * POSIX shell can name only 3 to 9.
 */
function closeInheritedFds(): string[] {
  const close =
    BASH === undefined
      ? 'exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-'
      : // The glob's own directory descriptor is closed again by the time the loop runs: -e skips it.
        'for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ] && [ -e "$f" ]; then exec {n}>&-; fi; done';
  return [BASH ?? '/bin/sh', '-c', `${close}; exec "$@"`, 'aidev-sandbox'];
}

function dropToUser(tools: SandboxTools, plan: BwrapPlan): string[] {
  if (!plan.asRoot || tools.setpriv === undefined) return [];
  const { uid, gid } = plan.policy;
  return [
    tools.setpriv,
    `--reuid=${uid}`,
    `--regid=${gid}`,
    '--clear-groups',
    '--bounding-set=-all',
    '--inh-caps=-all',
    '--no-new-privs',
    '--',
  ];
}

/** The sandbox's own account files: its user, and a hosts file that names only itself. */
export function skeletonFiles(policy: SandboxPolicy, asRoot: boolean): Record<string, string> {
  const uid = asRoot ? policy.uid : (process.getuid?.() ?? policy.uid);
  const gid = asRoot ? policy.gid : (process.getgid?.() ?? policy.gid);
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:${uid}:${gid}:aidev sandbox:${SANDBOX_HOME}:/bin/sh\n`,
    group: `root:x:0:\nsandbox:x:${gid}:\n`,
    hosts: '127.0.0.1 localhost\n::1 localhost\n',
  };
}
