import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { registerSecrets } from '../log/scrub-secrets.js';
import type { SealedSecrets } from '../store/repositories/plugin-configurations.js';
import type { Keyring } from './keyring.js';

/** Credentials in plain text: field name → value, as a plugin's configuration takes them. */
export type Credentials = Readonly<Record<string, string>>;

const FORMAT = 'v1';
const IV_BYTES = 12;
const credentialsSchema = z.record(z.string(), z.string());

/**
 * Seals credentials with AES-256-GCM under the keyring's active key. `context` (e.g. the
 * configuration's type, name and scope) is authenticated with them, so a sealed value copied
 * onto another row does not open there.
 */
export async function sealCredentials(
  keyring: Keyring,
  credentials: Credentials,
  context: string,
): Promise<SealedSecrets> {
  // From here on the values are in this process (about to be put to work): scrub them.
  registerSecrets(Object.values(credentials));
  const { id, key } = await keyring.activeKey();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url'));
  return { ciphertext: [FORMAT, ...parts].join('.'), keyId: id };
}

/**
 * Opens sealed credentials; a wrong key, context or a tampered value is refused. The values
 * join the process's secret registry (src/log/scrub-secrets.ts).
 */
export async function openCredentials(
  keyring: Keyring,
  sealed: SealedSecrets,
  context: string,
): Promise<Record<string, string>> {
  const [format, iv, tag, body] = sealed.ciphertext.split('.');
  if (format !== FORMAT || iv === undefined || tag === undefined || body === undefined)
    throw unreadable(sealed, 'it is not in a format this version knows');
  const key = await keyring.key(sealed.keyId);
  let text: string;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    text = Buffer.concat([
      decipher.update(Buffer.from(body, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch (error) {
    throw unreadable(
      sealed,
      'it does not authenticate (altered, or sealed for another row)',
      error,
    );
  }
  const parsed = credentialsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw unreadable(sealed, 'it does not hold field values');
  // Opened credentials reach vendors, which may echo them in errors: every log line, stored
  // error and health text is scrubbed of them (and of their encoded forms) from now on.
  registerSecrets(Object.values(parsed.data));
  return parsed.data;
}

/** What the credentials of a plugin configuration are sealed for. */
export function credentialsContext(type: string, name: string, scope: string): string {
  return `plugin_configurations/${type}/${name}/${scope}`;
}

function unreadable(sealed: SealedSecrets, why: string, cause?: unknown): AppError {
  return new AppError(
    'config_invalid',
    `stored credentials (key ${sealed.keyId}) cannot be read: ${why}`,
    cause === undefined ? {} : { cause },
  );
}
