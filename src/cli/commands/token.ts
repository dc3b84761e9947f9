import type { Command } from 'commander';
import { TOKEN_ROLES } from '../../store/repositories/api-tokens.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

interface CreateOptions {
  readonly name: string;
  readonly role: string;
  readonly expiresInDays?: string;
  readonly json?: boolean;
}

/**
 * `aidev token create|list|revoke`: API tokens for the REST API and the event WebSocket. A
 * token is printed once, at creation; aidev keeps only its hash.
 */
export function registerToken(program: Command, io: CliIo, done: (code: ExitCode) => void): void {
  const token = program
    .command('token')
    .description('API tokens: create (shown once), list, revoke');
  token
    .command('create')
    .description('create an API token and print it (the only time it is shown)')
    .requiredOption('--name <name>', 'what the token is for, e.g. ci or grafana')
    .requiredOption(
      '--role <role>',
      `${TOKEN_ROLES.join(', ')}: read; start, cancel and decide runs; configure`,
    )
    .option('--expires-in-days <days>', 'refuse it after this many days (default: never)')
    .option('--json', 'print the token and its record as JSON')
    .action(async (options: CreateOptions, command: Command) => {
      const role = TOKEN_ROLES.find((r) => r === options.role);
      const days = options.expiresInDays === undefined ? undefined : Number(options.expiresInDays);
      if (role === undefined) {
        io.stderr.write(
          `aidev token create: --role: expected one of ${TOKEN_ROLES.join(', ')}, found "${options.role}"\n`,
        );
        return done(EXIT.usage);
      }
      if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 3650)) {
        io.stderr.write(
          `aidev token create: --expires-in-days: expected a whole number from 1 to 3650, found "${options.expiresInDays}"\n`,
        );
        return done(EXIT.usage);
      }
      const { tokenCreate } = await import('../actions/token.js');
      done(
        await tokenCreate(io, {
          ...command.optsWithGlobals<GlobalOptions>(),
          name: options.name,
          role,
          days,
          json: options.json === true,
        }),
      );
    });
  token
    .command('list')
    .description('list API tokens (never the tokens themselves)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { tokenList } = await import('../actions/token.js');
      done(await tokenList(io, { ...command.optsWithGlobals<GlobalOptions>(), ...options }));
    });
  token
    .command('revoke')
    .description('revoke an API token: its next request is refused')
    .argument('<id>', 'the token id (as aidev token list shows it)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const { tokenRevoke } = await import('../actions/token.js');
      done(await tokenRevoke(io, id, command.optsWithGlobals<GlobalOptions>()));
    });
}
