import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import {
  credentialsContext,
  openCredentials,
  sealCredentials,
} from '../../src/security/credentials.js';
import { decodeKey, KEY_FILE, keyIdOf, Keyring } from '../../src/security/keyring.js';
import { capturingLogger } from '../support/logger.js';

const ENV_KEY = Buffer.alloc(32, 7).toString('base64');
const context = credentialsContext('version_control', 'github', 'C1');

async function keyring(options: { envKey?: string; dataDir?: string } = {}) {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(inject('scratchDir'), 'keys-')));
  const { logger, lines } = capturingLogger();
  const ring = await Keyring.open({ dataDir, envKey: options.envKey, logger });
  return { ring, dataDir, lines };
}

describe('the keyring that seals stored credentials', () => {
  it('seals with AIDEV_ENCRYPTION_KEY under an id derived from it, and writes no key file', async () => {
    const { ring, dataDir } = await keyring({ envKey: ENV_KEY });
    const sealed = await sealCredentials(ring, { token: 'ghp_secret_value_1' }, context);
    expect(sealed.keyId).toBe(keyIdOf(decodeKey(ENV_KEY)));
    expect(sealed.ciphertext).not.toContain('ghp_secret_value_1');
    expect(await openCredentials(ring, sealed, context)).toEqual({ token: 'ghp_secret_value_1' });
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('takes the key as 64 hex characters or base64 and names it the same either way', () => {
    const hex = Buffer.alloc(32, 7).toString('hex');
    expect(keyIdOf(decodeKey(hex))).toBe(keyIdOf(decodeKey(ENV_KEY)));
  });

  it('refuses credentials that were altered, moved to another row, or sealed with a key it lacks', async () => {
    const { ring } = await keyring({ envKey: ENV_KEY });
    const sealed = await sealCredentials(ring, { token: 'ghp_secret_value_2' }, context);
    const [format, iv, tag, body = ''] = sealed.ciphertext.split('.');
    const flipped = `${body.slice(0, -2)}${body.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(
      openCredentials(
        ring,
        { ...sealed, ciphertext: [format, iv, tag, flipped].join('.') },
        context,
      ),
    ).rejects.toThrow('does not authenticate');
    await expect(
      openCredentials(ring, sealed, credentialsContext('version_control', 'github', 'C2')),
    ).rejects.toThrow('does not authenticate');
    const { ring: other } = await keyring();
    await expect(openCredentials(other, sealed, context)).rejects.toMatchObject({
      message: expect.stringContaining(
        `key ${sealed.keyId}, which this process does not have`,
      ) as unknown as string,
      hint: expect.stringContaining('AIDEV_ENCRYPTION_KEY') as unknown as string,
    });
  });

  it('generates one key for processes that need it at the same time, and says so once', async () => {
    const dataDir = await mkdtemp(path.join(inject('scratchDir'), 'keys-'));
    const rings = await Promise.all([1, 2, 3].map(() => keyring({ dataDir })));
    const ids = await Promise.all(rings.map(async ({ ring }) => (await ring.activeKey()).id));
    expect(new Set(ids).size).toBe(1);
    const told = rings.flatMap(({ lines }) =>
      lines.filter((l) => l.includes('generated an encryption key')),
    );
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('mode 0600');
  });

  it('rotates a generated key, keeping the old one readable', async () => {
    const { ring, dataDir } = await keyring();
    const old = await sealCredentials(ring, { token: 'ghp_secret_value_3' }, context);
    const rotated = await ring.rotate();
    expect(rotated).toMatchObject({ previousKeyId: old.keyId });
    expect(rotated.keyToInstall).toBeUndefined();
    const fresh = await keyring({ dataDir });
    expect(fresh.ring.activeKeyId()).toBe(rotated.keyId);
    expect(await openCredentials(fresh.ring, old, context)).toEqual({
      token: 'ghp_secret_value_3',
    });
  });

  it('hands a rotated AIDEV_ENCRYPTION_KEY to the operator once, keeping the old one readable', async () => {
    const { ring, dataDir } = await keyring({ envKey: ENV_KEY });
    const old = await sealCredentials(ring, { token: 'ghp_secret_value_4' }, context);
    const rotated = await ring.rotate();
    expect(rotated.keyToInstall).toBeDefined();
    const file = await readFile(path.join(dataDir, KEY_FILE), 'utf8');
    expect(file).not.toContain(rotated.keyToInstall);
    const next = await keyring({ dataDir, envKey: rotated.keyToInstall ?? '' });
    expect(next.ring.activeKeyId()).toBe(rotated.keyId);
    expect(await openCredentials(next.ring, old, context)).toEqual({ token: 'ghp_secret_value_4' });
  });
});
