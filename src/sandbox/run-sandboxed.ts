import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import type { Logger } from '../log/create-logger.js';
import { leaseSandboxUser } from './sandbox-users.js';
import { bwrapCommand, sandboxEnv, skeletonFiles, type SandboxTools } from './bwrap-command.js';
import { findExecutable } from './find-executable.js';
import { handOver } from './hand-over.js';
import { startNetworkProxy, type ProxyOptions, type RunningProxy } from './network-proxy.js';
import {
  chooseSandbox,
  sandboxHost,
  sandboxRefusal,
  UNSANDBOXED_DEMO,
  type SandboxMode,
} from './sandbox-choice.js';
import { DEFAULT_SANDBOX_POLICY, type SandboxPolicy } from './sandbox-policy.js';
import { runInSeatbelt } from './seatbelt-run.js';
import { spawnLimited } from './spawn-limited.js';

export type { SandboxMode } from './sandbox-choice.js';

export interface SandboxedCommand {
  /** The workspace: the only directory the command may write to. */
  readonly cwd: string;
  /** Run with `sh -c` (the repository's test command, e.g. `npm test`). */
  readonly command: string;
  readonly mode: SandboxMode;
  readonly timeoutMs: number;
  /** Output kept per stream; the rest is dropped (and said to be). */
  readonly maxOutputBytes: number;
  /** Limits, extra read-only paths and the registries a setup command may reach. */
  readonly policy?: SandboxPolicy;
  /**
   * Let the command reach the policy's package registries, over HTTPS through aidev's proxy (a
   * setup command installing dependencies). Never the host's own services. Tests never get it.
   */
  readonly network?: boolean;
  /** How the proxy resolves and vets addresses (tests point a registry name at a local server). */
  readonly proxy?: Pick<ProxyOptions, 'resolve' | 'addressAllowed' | 'ports'>;
  /** More directories of programs on the command's PATH (read-only, like the system's). */
  readonly toolPath?: readonly string[];
  /** The workspace read-only, in either sandbox (`none` cannot keep a command from writing). */
  readonly readOnly?: boolean;
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
  /** Hosts the command asked the proxy for and was refused (a registry missing from the list). */
  readonly refusedHosts: readonly string[];
}

/**
 * Runs a repository's command (its tests, its setup) where it sees only what it needs: the
 * working copy, the system's programs, a private /tmp and home; no host sockets, no secrets, no
 * network but the allowed registries when asked, and limits on processes, memory, file size and
 * CPU. bubblewrap on Linux, Seatbelt on macOS (AIDEV_SANDBOX=auto picks). Without either this
 * refuses, saying what to install, unless the operator chose `AIDEV_SANDBOX=none` (said in a
 * warning on every run) or the command is the demo's own (see UNSANDBOXED_DEMO).
 */
export async function runSandboxed(run: SandboxedCommand): Promise<SandboxResult> {
  if (run.mode === 'none' || run.mode === UNSANDBOXED_DEMO) {
    if (run.mode === 'none')
      run.logger.warn(
        { command: run.command, cwd: run.cwd },
        'AIDEV_SANDBOX=none: running the command without a sandbox (it can reach the network and write anywhere this user can)',
      );
    else
      run.logger.info(
        { command: run.command, cwd: run.cwd },
        'aidev demo: running the sample repository’s command without a sandbox (none on this machine; the code ships with aidev)',
      );
    return runUnsandboxed(run);
  }
  const choice = chooseSandbox(run.mode, sandboxHost(process.env.PATH));
  if (choice.status === 'missing')
    throw new StepError(sandboxRefusal(choice), { code: 'sandbox_unavailable' });
  return choice.status === 'ready' && choice.kind === 'seatbelt'
    ? runInSeatbelt(run)
    : runInBubblewrap(run);
}

/**
 * The command as it is, but for the environment: aidev's own variables scrubbed, and a new,
 * empty home and TMPDIR outside the working copy (a home in the working copy would have tools'
 * caches and logs, `.npm/_logs` say, committed with the change).
 */
async function runUnsandboxed(run: SandboxedCommand): Promise<SandboxResult> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-unsandboxed-'));
  try {
    const [home, tmp] = [path.join(scratch, 'home'), path.join(scratch, 'tmp')];
    for (const dir of [home, tmp]) await mkdir(dir, { mode: 0o700 });
    const env = { ...sandboxEnv(run.toolPath ?? [], home), TMPDIR: tmp };
    return { ...(await spawnLimited('/bin/sh', ['-c', run.command], env, run)), refusedHosts: [] };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function runInBubblewrap(run: SandboxedCommand): Promise<SandboxResult> {
  const tools = sandboxTools();
  const asRoot = process.getuid?.() === 0;
  const configured = run.policy ?? DEFAULT_SANDBOX_POLICY;
  // A user of its own, and so a process limit of its own, for each command running at once.
  const user = asRoot ? await leaseSandboxUser(configured.uid, configured.users) : undefined;
  const policy = user === undefined ? configured : { ...configured, uid: user.uid };
  let skeleton: string | undefined;
  let proxy: RunningProxy | undefined;
  try {
    skeleton = await mkdtemp(path.join(os.tmpdir(), 'aidev-sandbox-'));
    for (const [name, content] of Object.entries(skeletonFiles(policy, asRoot)))
      await writeFile(path.join(skeleton, name), content, { mode: 0o644 });
    const proxySocket = path.join(skeleton, 'proxy.sock');
    if (run.network === true)
      proxy = await startNetworkProxy({
        socketPath: proxySocket,
        allowedHosts: policy.setupHosts,
        logger: run.logger,
        ...run.proxy,
      });
    if (asRoot) await handOver(run.cwd, policy.uid, policy.gid);
    const [executable, args] = bwrapCommand(tools, {
      cwd: run.cwd,
      command: run.command,
      policy,
      toolPath: run.toolPath ?? [],
      skeleton,
      asRoot,
      ...(run.readOnly === true ? { readOnly: true } : {}),
      ...(proxy === undefined ? {} : { proxySocket }),
    });
    // bwrap itself gets no environment either: /proc/1/environ inside shows nothing of aidev's.
    const result = await spawnLimited(executable, args, {}, run);
    return { ...result, refusedHosts: [...(proxy?.refused ?? [])] };
  } finally {
    await proxy?.close();
    if (skeleton !== undefined) await rm(skeleton, { recursive: true, force: true });
    await user?.release();
  }
}

/** bubblewrap, and util-linux's prlimit (and setpriv as root), or a refusal saying what to do. */
function sandboxTools(): SandboxTools {
  const bwrap = findExecutable('bwrap', process.env.PATH);
  if (bwrap === undefined)
    throw new StepError(
      sandboxRefusal({
        status: 'missing',
        summary: 'bubblewrap (bwrap) is not installed',
        install: 'install it (apt-get install bubblewrap)',
      }),
      { code: 'sandbox_unavailable' },
    );
  const system = `${process.env.PATH ?? ''}:/usr/bin:/bin`;
  const prlimit = findExecutable('prlimit', system);
  const setpriv = findExecutable('setpriv', system);
  if (prlimit === undefined || (process.getuid?.() === 0 && setpriv === undefined))
    throw new StepError(
      'cannot run the command: the sandbox needs prlimit and setpriv from util-linux to limit and drop privileges; install util-linux',
      { code: 'sandbox_unavailable' },
    );
  return { bwrap, prlimit, ...(setpriv === undefined ? {} : { setpriv }) };
}
