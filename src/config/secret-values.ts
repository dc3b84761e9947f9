import { isSecretEnv, type Env } from './env-schema.js';

/**
 * The shortest OTLP header value taken for a credential. An exporter's API key is longer; a
 * tenant or dataset name such as `x-tenant=acme` is no credential, and scrubbing it would
 * blank that word out of every log line and message of the process.
 */
const MIN_HEADER_SECRET_LENGTH = 8;

/**
 * Every secret value the environment holds — the secret variables, the password inside
 * DATABASE_URL (as written and decoded) and the OTLP headers' values (an exporter's API key)
 * on their own — for the logger to scrub from every line.
 */
export function secretValues(env: Env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string' && isSecretEnv(name)) values.add(value);
  }
  for (const value of Object.values(env.OTEL_EXPORTER_OTLP_HEADERS ?? {}))
    if (value.length >= MIN_HEADER_SECRET_LENGTH) values.add(value);
  if (env.DATABASE_URL !== undefined) {
    const password = URL.parse(env.DATABASE_URL)?.password;
    if (password !== undefined && password !== '') {
      values.add(password);
      values.add(safeDecode(password));
    }
  }
  return [...values];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
