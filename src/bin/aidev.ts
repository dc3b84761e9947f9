import { runCli } from '../cli/run-cli.js';

/**
 * The process entry: the only place that touches process signals, exit codes and the real
 * console. Everything else is reached through runCli and can run in-process.
 */

let signalsWatched = false;
let requestShutdown: (signal: string) => void = () => undefined;
const shutdown = new Promise<string>((resolve) => {
  requestShutdown = resolve;
});
let signalsReceived = 0;

function onSignal(signal: NodeJS.Signals): void {
  signalsReceived += 1;
  // A command that does not wait for signals (a one-shot command) is interrupted at once,
  // and a second signal always forces the exit.
  if (!signalsWatched || signalsReceived > 1) {
    process.stderr.write(`\naidev: interrupted (${signal})\n`);
    process.exit(130);
  }
  requestShutdown(signal);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.on('unhandledRejection', (reason) => {
  const message = reason instanceof Error ? reason.message : String(reason);
  process.stderr.write(`aidev: internal error: ${message}\n`);
  process.exit(1);
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  ...(process.stdin.isTTY && process.stdout.isTTY
    ? { terminal: { stdin: process.stdin, stdout: process.stdout } }
    : {}),
  get shutdownRequested() {
    signalsWatched = true;
    return shutdown;
  },
});

// Libraries may leave timers behind (the job library keeps one per finished job for a while):
// exit explicitly once both streams are flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
