import { tokenView } from '../../http/api/views.js';
import type { ApiToken } from '../../store/repositories/api-tokens.js';
import { issueToken, revokeToken, type TokenRole } from '../../security/api-tokens.js';
import type { Store } from '../../store/store.js';
import { cliUser, withStore } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import type { GlobalOptions } from '../command-support.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const when = (date: Date | null) =>
  date === null ? '-' : date.toISOString().slice(0, 16).replace('T', ' ');

/** `aidev token create`, with the options already checked. */
export function tokenCreate(
  io: CliIo,
  options: GlobalOptions & {
    name: string;
    role: TokenRole;
    days: number | undefined;
    json: boolean;
  },
): Promise<ExitCode> {
  return withStore(io, options, 'token create', (store) => create(io, store, options));
}

/** `aidev token list`: never the tokens themselves. */
export function tokenList(io: CliIo, options: GlobalOptions & { json?: boolean }) {
  return withStore(io, options, 'token list', async (store) => {
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
  });
}

/** `aidev token revoke ID`: its next request is refused. */
export function tokenRevoke(io: CliIo, id: string, options: GlobalOptions) {
  return withStore(io, options, 'token revoke', async (store) => {
    if (await revokeToken(store, id, cliUser())) {
      io.stdout.write(`revoked token ${id}\n`);
      return EXIT.ok;
    }
    io.stderr.write(
      `aidev token revoke: there is no active token ${JSON.stringify(id)} (aidev token list shows them)\n`,
    );
    return EXIT.failed;
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
