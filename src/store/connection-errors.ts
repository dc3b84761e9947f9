import { AppError } from '../errors/app-error.js';

interface PgLikeError {
  code?: string;
  message?: string;
}

/**
 * Turns a failure to reach the database into one sentence that says what happened and what
 * to check. `target` is already free of credentials.
 */
export function connectionError(error: unknown, target: string, timeoutMs: number): AppError {
  // The first query of a new database: its failure is the connection's, not a loss mid-way.
  if (error instanceof DatabaseUnavailableError) error = error.cause;
  const e = (error ?? {}) as PgLikeError;
  const message = e.message ?? String(error);
  const reason = reasonFor(e.code, message, timeoutMs);
  return new AppError('database_unreachable', `cannot connect to ${target}: ${reason}`, {
    cause: error,
    hint: 'check DATABASE_URL, or unset it to use the embedded database',
  });
}

function reasonFor(code: string | undefined, message: string, timeoutMs: number): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused; is PostgreSQL running and listening on that host and port?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found; check the host in DATABASE_URL';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable; check the host, port and firewall';
    case 'ENOENT':
      return 'no server socket at that path';
    case '28P01':
      return 'password authentication failed; check the user and password in DATABASE_URL';
    case '28000':
      return `access refused by the server (${message}); check pg_hba.conf or the user name`;
    case '3D000':
      return `${message}; create it (createdb) or fix the database name in DATABASE_URL`;
    case '53300':
      return 'the server has too many connections; lower database.pool_size or raise max_connections';
    case '57P03':
      return 'the server is starting up or shutting down; try again in a moment';
    default:
      break;
  }
  if (/timeout/i.test(message))
    return `no answer within ${timeoutMs} ms (database.connect_timeout)`;
  if (/self[- ]signed|certificate/i.test(message)) {
    return `TLS certificate problem (${message}); see sslmode in DATABASE_URL`;
  }
  if (/terminated|ECONNRESET|socket hang up/i.test(message)) {
    return 'the server closed the connection; is this a PostgreSQL server?';
  }
  return message;
}

/**
 * The database went away under a query: the server restarted, the network dropped, or the
 * process serving the embedded database died and another is taking over. Nothing is wrong with
 * the work that asked, so it is `retryable`, like a vendor's 5xx (#16): the engine hands the
 * step back to be run again rather than recording it failed.
 */
export class DatabaseUnavailableError extends AppError {
  readonly retryable = true;

  constructor(target: string, cause: unknown) {
    super(
      'database_unavailable',
      `lost the connection to ${target}: ${(cause as PgLikeError | null)?.message ?? String(cause)}`,
      {
        cause,
        hint: 'the database restarted or changed hands; the work is tried again once it is back',
      },
    );
  }
}

/** SQLSTATEs of a server that is going away or not there yet (class 08: connection errors). */
const GONE_STATES = new Set(['57P01', '57P02', '57P03']);
const GONE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // The embedded database's socket file, gone with the process that served it.
  'ENOENT',
]);
/** pg's own words for a connection that ended or never came (it sets no code on these). */
const GONE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
];

/**
 * Whether a query failed because the connection to the database was lost or could not be made,
 * rather than because of the query: pg's "Connection terminated unexpectedly" when the server
 * (or the embedded database's serving process) dies mid-query, a reset socket, a server
 * shutting down (57P01) or starting up (57P03). A query's own errors (a constraint, a syntax
 * error, a serialization failure) are not.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as PgLikeError | null;
  if (typeof e?.code === 'string') {
    if (e.code.startsWith('08') || GONE_STATES.has(e.code) || GONE_CODES.has(e.code)) return true;
  }
  return typeof e?.message === 'string' && GONE_MESSAGES.some((m) => m.test(e.message ?? ''));
}

/** `postgres://user@host:port/db` without the password or query string. */
export function describePostgresUrl(url: string): string {
  const parsed = URL.parse(url);
  if (parsed === null) return 'PostgreSQL (unparseable DATABASE_URL)';
  const user = parsed.username === '' ? '' : `${decodeURIComponentSafe(parsed.username)}@`;
  const host = parsed.host === '' ? 'localhost' : parsed.host;
  const database = parsed.pathname.replace(/^\//, '') || '(default database)';
  return `PostgreSQL at postgres://${user}${host}/${database}`;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
