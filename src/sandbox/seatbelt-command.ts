import path from 'node:path';
import { sandboxEnv } from './bwrap-command.js';
import { extraReadOnlyDirs } from './filesystem-view.js';
import { proxyEnv } from './proxy-bridge.js';
import type { SandboxLimits, SandboxPolicy } from './sandbox-policy.js';
import { seatbeltProfile } from './seatbelt-profile.js';

export interface SeatbeltCommandPlan {
  /** The working copy, resolved (Seatbelt matches real paths). */
  readonly cwd: string;
  readonly command: string;
  readonly policy: SandboxPolicy;
  readonly toolPath: readonly string[];
  /** The command's private /tmp and home: new, empty directories, resolved. */
  readonly tmp: string;
  readonly home: string;
  /** aidev's proxy on loopback, when the command may reach the allowed registries. */
  readonly proxyPort?: number;
  readonly readOnly?: boolean;
}

export interface SeatbeltInvocation {
  readonly executable: string;
  readonly args: string[];
  /** The command's whole environment: sandbox-exec passes on what it is given. */
  readonly env: Record<string, string>;
}

/**
 * sandbox-exec -p PROFILE → sh (limits set, inherited descriptors closed) → sh -c command.
 * The same policy as bubblewrap's, from the same sources: `sandboxEnv` scrubs the environment,
 * `extraReadOnlyDirs` names Node.js and the extra paths, `proxyEnv` points package managers at
 * aidev's proxy — here a loopback port, the only one the profile lets the command reach.
 */
export function seatbeltCommand(plan: SeatbeltCommandPlan): SeatbeltInvocation {
  const toolDirs = plan.toolPath.map((dir) => path.dirname(dir));
  const profile = seatbeltProfile({
    cwd: plan.cwd,
    tmp: plan.tmp,
    home: plan.home,
    readPaths: extraReadOnlyDirs([...toolDirs, ...plan.policy.readOnlyPaths]),
    ...(plan.readOnly === true ? { readOnly: true } : {}),
    ...(plan.proxyPort === undefined ? {} : { proxyPort: plan.proxyPort }),
  });
  const env = {
    ...sandboxEnv(plan.toolPath, plan.home),
    TMPDIR: plan.tmp,
    ...(plan.proxyPort === undefined ? {} : proxyEnv(plan.proxyPort)),
  };
  return {
    executable: SANDBOX_EXEC,
    args: [
      '-p',
      profile,
      '/bin/bash',
      '-c',
      `${limitsScript(plan.policy.limits)}; ${CLOSE_INHERITED_FDS}; exec /bin/sh -c "$1"`,
      'aidev-sandbox',
      plan.command,
    ],
    env,
  };
}

/** Always this one: a sandbox-exec earlier on PATH would be a program of anybody's choosing. */
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/**
 * The policy's limits as ulimit, which macOS enforces for file size, CPU time and core dumps.
 * Not the process limit: macOS counts it for the whole user, so any figure would either stop
 * the user's own programs or nothing at all. Not the sizes of /tmp and home: there is no tmpfs.
 * The memory limit is set, though macOS may not hold a process to it.
 */
export function limitsScript(limits: SandboxLimits): string {
  return [
    // bash (not as sh, so not in POSIX mode) counts -f in 1024-byte blocks.
    `ulimit -f ${Math.floor(limits.fileSizeBytes / 1024)}`,
    `ulimit -t ${limits.cpuSeconds}`,
    'ulimit -c 0',
    `ulimit -d ${Math.floor(limits.memoryBytes / 1024)} 2>/dev/null || true`,
  ].join('; ');
}

/**
 * Closes every descriptor above stderr that the command would otherwise inherit (see the
 * bubblewrap command's reason). macOS has no /proc: /dev/fd lists them; its bash 3.2 has no
 * `{n}>&-`, so each is closed by number through eval.
 */
export const CLOSE_INHERITED_FDS =
  'for f in /dev/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ] 2>/dev/null && [ -e "$f" ]; then eval "exec $n>&-"; fi; done';
