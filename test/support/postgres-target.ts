import pg from 'pg';

/** Where the PostgreSQL suites run, or why they cannot. Shared by global setup and tests. */
export type PostgresTarget =
  | { readonly available: true; readonly adminUrl: string; readonly template: string }
  | { readonly available: false; readonly reason: string };

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The server the tests may create databases on: DATABASE_URL (as CI sets it) or the local default. */
export function adminUrl(): string {
  const fromEnv = process.env.DATABASE_URL;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_ADMIN_URL;
}

/** The same server, another database. */
export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function maskUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
