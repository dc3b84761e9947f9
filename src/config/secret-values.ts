import { isSecretEnv, type Env } from './env-schema.js';

/**
 * Every secret value the environment holds — the secret variables, and the password inside
 * DATABASE_URL, as written and decoded — for the logger to scrub from every line.
 */
export function secretValues(env: Env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string' && isSecretEnv(name)) values.add(value);
  }
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
