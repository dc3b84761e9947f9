import { spawn } from 'node:child_process';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import type { Logger } from '../log/create-logger.js';
import { findExecutable } from './find-executable.js';

export type SandboxMode = 'bubblewrap' | 'none';

export interface SandboxedCommand {
  /** The workspace: the only directory the command may write to. */
  readonly cwd: string;
  /** Run with `sh -c` (the repository's test command, e.g. `npm test`). */
  readonly command: string;
  readonly mode: SandboxMode;
  readonly timeoutMs: number;
  /** Output kept per stream; the rest is dropped (and said to be). */
  readonly maxOutputBytes: number;
  /** Directories hidden from the command (e.g. aidev's data directory). */
  readonly hide?: readonly string[];
  /**
   * Let the command reach the network (a setup command installing dependencies); it is still
   * confined to its workspace and sees none of aidev's environment. Tests never get it.
   */
  readonly network?: boolean;
  /** More directories of programs on the command's PATH (read-only, like the whole system). */
  readonly toolPath?: readonly string[];
  readonly signal?: AbortSignal;
  readonly logger: Logger;
}

export interface SandboxResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** The environment a command gets: enough to run a toolchain, none of aidev's. */
function scrubbedEnv(home: string, toolPath: readonly string[] = []): Record<string, string> {
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
 * bubblewrap: every namespace unshared (no network: only a loopback that reaches nothing, unless
 * `network` is asked for),
 * the whole system read-only, a fresh /tmp, /dev and /proc, the workspace the only writable
 * place, hidden directories masked, no environment but the scrubbed one.
 */
function bwrapArgs(bwrap: string, run: SandboxedCommand): [string, string[]] {
  const env = scrubbedEnv(run.cwd, run.toolPath);
  return [
    bwrap,
    [
      '--unshare-all',
      ...(run.network === true ? ['--share-net'] : []),
      '--die-with-parent',
      '--new-session',
      '--ro-bind',
      '/',
      '/',
      '--tmpfs',
      '/tmp',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      ...(run.hide ?? []).flatMap((dir) => ['--tmpfs', dir]),
      // Tools live in an installation folder (node_modules/.bin in node_modules), which may be
      // under /tmp, now empty: bring each one back, read-only.
      ...(run.toolPath ?? []).flatMap((dir) => ['--ro-bind', path.dirname(dir), path.dirname(dir)]),
      '--bind',
      run.cwd,
      run.cwd,
      '--chdir',
      run.cwd,
      '--clearenv',
      ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]),
      '/bin/sh',
      '-c',
      run.command,
    ],
  ];
}

/**
 * Runs a repository's command (its tests) where it cannot reach the network, write outside
 * its workspace or read aidev's secrets. Without bubblewrap this refuses, unless the operator
 * chose `AIDEV_SANDBOX=none`, which is said in a warning on every run.
 */
export async function runSandboxed(run: SandboxedCommand): Promise<SandboxResult> {
  let executable: string;
  let args: string[];
  let env: Record<string, string>;
  if (run.mode === 'bubblewrap') {
    const bwrap = findExecutable('bwrap', process.env.PATH);
    if (bwrap === undefined)
      throw new StepError(
        'cannot run the command: bubblewrap (bwrap) is not installed; install it (apt-get install bubblewrap) or set AIDEV_SANDBOX=none to run commands without a sandbox',
        { code: 'sandbox_unavailable' },
      );
    [executable, args] = bwrapArgs(bwrap, run);
    env = {};
  } else {
    run.logger.warn(
      { command: run.command, cwd: run.cwd },
      'AIDEV_SANDBOX=none: running the command without a sandbox (it can reach the network and write anywhere this user can)',
    );
    [executable, args, env] = ['/bin/sh', ['-c', run.command], scrubbedEnv(run.cwd, run.toolPath)];
  }
  return spawnLimited(executable, args, env, run);
}

function spawnLimited(
  executable: string,
  args: string[],
  env: Record<string, string>,
  run: SandboxedCommand,
): Promise<SandboxResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout kills everything it started.
    const child = spawn(executable, args, {
      cwd: run.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '', truncated: false };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = run.maxOutputBytes - Buffer.byteLength(out[stream]);
      if (room <= 0) {
        out.truncated = true;
        return;
      }
      const text = chunk.toString('utf8');
      if (Buffer.byteLength(text) > room) out.truncated = true;
      out[stream] += Buffer.from(text).subarray(0, room).toString('utf8');
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    let timedOut = false;
    const kill = () => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, run.timeoutMs);
    run.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      run.signal?.removeEventListener('abort', kill);
      const ended = timedOut ? `\n[aidev: stopped after ${run.timeoutMs} ms]` : '';
      resolve({
        exitCode: code,
        stdout: out.stdout,
        stderr: `${out.stderr}${out.truncated ? '\n[aidev: output cut]' : ''}${ended}`,
        timedOut,
        truncated: out.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
