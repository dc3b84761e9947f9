import type { Command } from 'commander';
import type { CliIo, ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

/**
 * `aidev keys status|rotate`: the keys that seal stored plugin credentials. Rotation seals every
 * stored credential again under a new key and keeps the previous keys readable.
 */
export function registerKeys(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const keys = program
    .command('keys')
    .description('the encryption keys of stored plugin credentials: status, rotate');
  keys
    .command('status')
    .description('the active key, the keys kept readable, and what each one seals')
    .option('--json', 'print it as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { keysStatus } = await import('../actions/keys.js');
      done(await keysStatus(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
  keys
    .command('rotate')
    .description('make a new active key and seal every stored credential again under it')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { keysRotate } = await import('../actions/keys.js');
      done(await keysRotate(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
}
