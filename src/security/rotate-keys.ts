import type { Store } from '../store/store.js';
import { credentialsContext, openCredentials, sealCredentials } from './credentials.js';
import type { Keyring, RotatedKey } from './keyring.js';

export interface KeyRotation extends RotatedKey {
  /** Stored configurations whose credentials were sealed again under the new key. */
  readonly resealed: number;
  /** Changed by someone else while rotating: they were sealed by that change instead. */
  readonly skipped: number;
}

/**
 * `aidev keys rotate`: a new active key, and every stored credential sealed again under it.
 * The previous key stays readable, so a process still sealing with it is never locked out, and
 * a rotation that stops half-way is finished by running it again.
 */
export async function rotateKeys(deps: {
  readonly store: Store;
  readonly keyring: Keyring;
  readonly actor: string;
}): Promise<KeyRotation> {
  const { store, keyring } = deps;
  const rotated = await keyring.rotate();
  let resealed = 0;
  let skipped = 0;
  for (const configuration of await store.plugins.list()) {
    if (configuration.secrets === null || configuration.secrets.keyId === rotated.keyId) continue;
    const context = credentialsContext(
      configuration.pluginType,
      configuration.pluginName,
      configuration.scope,
    );
    const credentials = await openCredentials(keyring, configuration.secrets, context);
    const sealed = await sealCredentials(keyring, credentials, context);
    if (await store.plugins.reseal(configuration.id, configuration.secrets, sealed)) resealed += 1;
    else skipped += 1;
  }
  await store.audit.append({
    actor: deps.actor,
    action: 'encryption_key.rotate',
    targetType: 'encryption_key',
    targetId: rotated.keyId,
    metadata: {
      previous_key_id: rotated.previousKeyId ?? null,
      resealed,
      skipped,
    },
  });
  return { ...rotated, resealed, skipped };
}
