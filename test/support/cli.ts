import { spawn } from 'node:child_process';
import path from 'node:path';
import type { CliIo } from '../../src/cli/cli-io.js';
import { runCli } from '../../src/cli/run-cli.js';
import { childEnv, REPO_ROOT } from './child-process.js';

export const BIN = path.join(REPO_ROOT, 'bin/aidev.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `aidev` bin (the compiled output, which the tests' global setup keeps up to date)
 * in a child process, with a clean environment plus `env`; `nodeArgs` go to Node itself.
 */
export function runBin(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
  nodeArgs: readonly string[] = [],
  bin: string = BIN,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, bin, ...args], {
      cwd,
      env: childEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI in this process, capturing its output. */
export async function runInProcess(
  args: readonly string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { PATH: process.env.PATH, ...env },
    cwd,
    shutdownRequested: new Promise(() => undefined),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}
