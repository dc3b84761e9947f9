import { spawn } from 'node:child_process';
import { HeadTailCapture } from './output-capture.js';
import type { SandboxedCommand, SandboxResult } from './run-sandboxed.js';

/**
 * Runs `executable` in its own process group with exactly `env`, keeping the head and tail of
 * its output, and kills the whole group at the command's timeout or abort.
 */
export function spawnLimited(
  executable: string,
  args: string[],
  env: Record<string, string>,
  run: SandboxedCommand,
): Promise<Omit<SandboxResult, 'refusedHosts'>> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so that a timeout kills everything it started.
    const child = spawn(executable, args, {
      cwd: run.cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = {
      stdout: HeadTailCapture.ofSize(run.maxOutputBytes),
      stderr: HeadTailCapture.ofSize(run.maxOutputBytes),
    };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => out[stream].push(chunk);
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
        stdout: out.stdout.text(),
        stderr: `${out.stderr.text()}${ended}`,
        timedOut,
        truncated: out.stdout.truncated || out.stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}
