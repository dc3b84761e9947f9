import type { Config } from '../../config/config.js';
import { Keyring } from '../../security/keyring.js';
import { rotateKeys } from '../../security/rotate-keys.js';
import type { Store } from '../../store/store.js';
import { cliUser, withStore } from '../app-session.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import { loggerFor, type GlobalOptions } from '../command-support.js';

function openKeyring(config: Config): Promise<Keyring> {
  return Keyring.open({
    dataDir: config.dataDir,
    envKey: config.security.encryptionKey,
    logger: loggerFor(config, 'warn'),
    sharedDatabase: config.database.url !== undefined,
  });
}

/** `aidev keys status`: the active key, the keys kept readable, and what each one seals. */
export function keysStatus(io: CliIo, options: GlobalOptions & { json?: boolean }) {
  return withStore(io, options, 'keys status', (store, config) =>
    status(io, store, config, options.json === true),
  );
}

/** `aidev keys rotate`: seals every stored credential again under a new key. */
export function keysRotate(io: CliIo, options: GlobalOptions & { json?: boolean }) {
  return withStore(io, options, 'keys rotate', (store, config) =>
    rotate(io, store, config, options.json === true),
  );
}

async function status(io: CliIo, store: Store, config: Config, json: boolean): Promise<ExitCode> {
  const keyring = await openKeyring(config);
  const sealedBy = new Map<string, number>();
  for (const c of await store.plugins.list())
    if (c.secrets !== null) sealedBy.set(c.secrets.keyId, (sealedBy.get(c.secrets.keyId) ?? 0) + 1);
  const active = keyring.activeKeyId();
  const ids = [...new Set([...keyring.knownKeyIds(), ...sealedBy.keys()])];
  const rows = ids.map((id) => ({
    id,
    active: id === active,
    readable: keyring.knownKeyIds().includes(id),
    seals: sealedBy.get(id) ?? 0,
  }));
  const source =
    config.security.encryptionKey === undefined ? keyring.file : 'AIDEV_ENCRYPTION_KEY';
  if (json) {
    io.stdout.write(`${JSON.stringify({ active: active ?? null, source, keys: rows }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    active === undefined
      ? `No key yet: one is generated into ${keyring.file} when a credential is first stored.\n`
      : `Active key ${active} (from ${source}).\n`,
  );
  for (const row of rows)
    io.stdout.write(
      `  ${row.id}  ${row.active ? 'active ' : 'retired'}  ${row.readable ? '' : 'MISSING  '}seals ${row.seals} stored configuration${row.seals === 1 ? '' : 's'}\n`,
    );
  return rows.some((r) => !r.readable && r.seals > 0) ? EXIT.failed : EXIT.ok;
}

async function rotate(io: CliIo, store: Store, config: Config, json: boolean): Promise<ExitCode> {
  const keyring = await openKeyring(config);
  const rotation = await rotateKeys({ store, keyring, actor: cliUser() });
  if (json) {
    io.stdout.write(`${JSON.stringify(rotation, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    `New active key ${rotation.keyId}: ${rotation.resealed} stored configuration${rotation.resealed === 1 ? '' : 's'} sealed again under it${rotation.previousKeyId === undefined ? '' : `; the previous key ${rotation.previousKeyId} stays readable`}.\n`,
  );
  if (rotation.keyToInstall !== undefined)
    io.stdout.write(
      `\nAIDEV_ENCRYPTION_KEY is set, so the new key is yours to install (shown this once):\n\n${rotation.keyToInstall}\n\nSet AIDEV_ENCRYPTION_KEY to it for every aidev process, then restart them.\n`,
    );
  return EXIT.ok;
}
