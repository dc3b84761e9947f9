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
