import type { Command } from 'commander';
import { tokenView } from '../../http/api/views.js';
import type { ApiToken } from '../../store/repositories/api-tokens.js';
import { issueToken, revokeToken, TOKEN_ROLES, type TokenRole } from '../../security/api-tokens.js';
import type { Store } from '../../store/store.js';
import { cliUser, withStore } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const when = (date: Date | null) =>
  date === null ? '-' : date.toISOString().slice(0, 16).replace('T', ' ');

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
      done(
        await withStore(io, command.optsWithGlobals<GlobalOptions>(), 'token create', (store) =>
          create(io, store, { name: options.name, role, days, json: options.json === true }),
        ),
      );
    });
  token
    .command('list')
    .description('list API tokens (never the tokens themselves)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      done(
        await withStore(
          io,
          command.optsWithGlobals<GlobalOptions>(),
          'token list',
          async (store) => {
            const tokens = await store.tokens.list();
            io.stdout.write(
              options.json === true
                ? `${JSON.stringify(
                    tokens.map((t) => tokenView(t)),
                    null,
                    2,
                  )}\n`
                : table(tokens),
            );
            return EXIT.ok;
          },
        ),
      );
    });
  token
    .command('revoke')
    .description('revoke an API token: its next request is refused')
    .argument('<id>', 'the token id (as aidev token list shows it)')
    .action(async (id: string, _options: unknown, command: Command) => {
      done(
        await withStore(
          io,
          command.optsWithGlobals<GlobalOptions>(),
          'token revoke',
          async (store) => {
            if (await revokeToken(store, id, cliUser())) {
              io.stdout.write(`revoked token ${id}\n`);
              return EXIT.ok;
            }
            io.stderr.write(
              `aidev token revoke: there is no active token ${JSON.stringify(id)} (aidev token list shows them)\n`,
            );
            return EXIT.failed;
          },
        ),
      );
    });
}

async function create(
  io: CliIo,
  store: Store,
  options: { name: string; role: TokenRole; days: number | undefined; json: boolean },
): Promise<ExitCode> {
  const { token, record } = await issueToken(store, {
    name: options.name,
    role: options.role,
    createdBy: cliUser(),
    ...(options.days === undefined
      ? {}
      : { expiresAt: new Date(Date.now() + options.days * DAY_MS) }),
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...tokenView(record), token }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    `${token}\n\nToken "${record.name}" (${record.role}, id ${record.id}) — copy it now: it is not shown again.\nUse it as: Authorization: Bearer <token>\n`,
  );
  return EXIT.ok;
}

function table(tokens: readonly ApiToken[]): string {
  if (tokens.length === 0)
    return 'No API tokens yet. Create one with: aidev token create --name NAME --role viewer\n';
  const state = (t: ApiToken) =>
    t.revokedAt !== null
      ? 'revoked'
      : t.expiresAt !== null && t.expiresAt <= new Date()
        ? 'expired'
        : 'active';
  return tokens
    .map(
      (t) =>
        `${t.id}  ${t.name.padEnd(16)}  ${t.role.padEnd(8)}  ${t.tokenPrefix}…  ${state(t).padEnd(7)}  last used ${when(t.lastUsedAt)}\n`,
    )
    .join('');
}
