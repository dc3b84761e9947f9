import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { StepError } from '../engine/step-errors.js';
import { startNetworkProxy, type RunningProxy } from './network-proxy.js';
import type { SandboxedCommand, SandboxResult } from './run-sandboxed.js';
import { DEFAULT_SANDBOX_POLICY } from './sandbox-policy.js';
import { seatbeltCommand } from './seatbelt-command.js';
import { spawnLimited } from './spawn-limited.js';

/**
 * Runs a command under Seatbelt (macOS): a new, empty /tmp and home for it, aidev's proxy on a
 * loopback port when it may reach the registries, and the profile of `seatbeltCommand`.
 */
export async function runInSeatbelt(run: SandboxedCommand): Promise<SandboxResult> {
  if (process.getuid?.() === 0)
    // bubblewrap hands a root aidev's commands to an unprivileged user; macOS has no such
    // step that sandbox-exec could take, and a sandboxed root is still root to the kernel.
    throw new StepError(
      'cannot run the command: on macOS aidev does not run repository commands as root; run aidev as an ordinary user',
      { code: 'sandbox_unavailable' },
    );
  const policy = run.policy ?? DEFAULT_SANDBOX_POLICY;
  let scratch: string | undefined;
  let proxy: RunningProxy | undefined;
  try {
    // Resolved: Seatbelt matches real paths, and the temporary directory is behind /var.
    scratch = await realpath(await mkdtemp(path.join(os.tmpdir(), 'aidev-sandbox-')));
    const tmp = path.join(scratch, 'tmp');
    const home = path.join(scratch, 'home');
    for (const dir of [tmp, home]) await mkdir(dir, { mode: 0o700 });
    if (run.network === true)
      proxy = await startNetworkProxy({
        allowedHosts: policy.setupHosts,
        logger: run.logger,
        ...run.proxy,
      });
    const cwd = await realpath(run.cwd);
    const { executable, args, env } = seatbeltCommand({
      cwd,
      command: run.command,
      policy: { ...policy, readOnlyPaths: await resolved(policy.readOnlyPaths) },
      toolPath: await resolved(run.toolPath ?? []),
      tmp,
      home,
      ...(run.readOnly === true ? { readOnly: true } : {}),
      ...(proxy?.port === undefined ? {} : { proxyPort: proxy.port }),
    });
    const result = await spawnLimited(executable, args, env, { ...run, cwd });
    return { ...result, refusedHosts: [...(proxy?.refused ?? [])] };
  } finally {
    await proxy?.close();
    if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  }
}

/** Real paths of those that exist (a missing one has nothing to allow). */
async function resolved(paths: readonly string[]): Promise<string[]> {
  const real = await Promise.all(paths.map((p) => realpath(p).catch(() => undefined)));
  return real.filter((p): p is string => p !== undefined);
}
