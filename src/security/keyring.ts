import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.js';
import type { Logger } from '../log/create-logger.js';

/** The keys file in the data directory: generated keys, and retired keys kept readable. */
export const KEY_FILE = 'encryption-keys.json';

interface StoredKey {
  readonly id: string;
  /** 32 bytes, base64. */
  readonly key: string;
  readonly created_at: string;
  readonly retired_at?: string;
}

interface KeyFileContent {
  readonly version: 1;
  /** The generated key new secrets are sealed with when AIDEV_ENCRYPTION_KEY is not set. */
  readonly active: string | null;
  readonly keys: readonly StoredKey[];
}

export interface KeyringOptions {
  readonly dataDir: string;
  /** AIDEV_ENCRYPTION_KEY as configured (64 hex or 44 base64 characters), if set. */
  readonly envKey: string | undefined;
  readonly logger: Logger;
  /** True when several machines may share the database: a generated key is then a trap. */
  readonly sharedDatabase?: boolean;
}

export interface RotatedKey {
  readonly keyId: string;
  readonly previousKeyId: string | undefined;
  /** Set when AIDEV_ENCRYPTION_KEY manages the active key: the operator must install this one. */
  readonly keyToInstall?: string;
}

/**
 * The AES-256 keys that seal stored credentials, each known by an id derived from the key (so
 * every process names the same key the same way, and the id reveals nothing about it).
 * The active key is AIDEV_ENCRYPTION_KEY when set; otherwise a key generated on first need into
 * the data directory (mode 0600). Keys retired by `aidev keys rotate` stay readable.
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  private fileActive: string | null = null;
  private override: string | undefined;

  private constructor(private readonly options: KeyringOptions) {
    if (options.envKey !== undefined) {
      const key = decodeKey(options.envKey);
      this.keys.set(keyIdOf(key), key);
    }
  }

  /** Opens the keyring: AIDEV_ENCRYPTION_KEY and the keys file, if there is one. */
  static async open(options: KeyringOptions): Promise<Keyring> {
    const keyring = new Keyring(options);
    await keyring.reload();
    return keyring;
  }

  get file(): string {
    return path.join(this.options.dataDir, KEY_FILE);
  }

  /** The id of the key new secrets are sealed with, if there is one yet. */
  activeKeyId(): string | undefined {
    if (this.override !== undefined) return this.override;
    if (this.options.envKey !== undefined) return keyIdOf(decodeKey(this.options.envKey));
    return this.fileActive ?? undefined;
  }

  knownKeyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The active key; without AIDEV_ENCRYPTION_KEY the first call generates one. */
  async activeKey(): Promise<{ id: string; key: Buffer }> {
    let id = this.activeKeyId();
    if (id === undefined) id = await this.generateFirstKey();
    const key = this.keys.get(id);
    if (key === undefined) throw new Error(`active key ${id} is missing from the keyring`);
    return { id, key };
  }

  /** The key with this id; the keys file is read again once, in case another process rotated. */
  async key(id: string): Promise<Buffer> {
    if (!this.keys.has(id)) await this.reload();
    const key = this.keys.get(id);
    if (key !== undefined) return key;
    throw new AppError(
      'config_invalid',
      `the credentials were sealed with encryption key ${id}, which this process does not have`,
      {
        hint: `set AIDEV_ENCRYPTION_KEY to the key every aidev process uses, or restore ${this.file}`,
      },
    );
  }

  /**
   * Makes a fresh key the active one; the previous key stays readable (retired in the keys
   * file). With AIDEV_ENCRYPTION_KEY, the new key is returned for the operator to install.
   */
  async rotate(now = new Date()): Promise<RotatedKey> {
    await this.reload();
    const previousKeyId = this.activeKeyId();
    const fresh = randomBytes(32);
    const keyId = keyIdOf(fresh);
    const content = await this.readFile();
    const retired = content.keys.map((k) =>
      k.id === previousKeyId && k.retired_at === undefined
        ? { ...k, retired_at: now.toISOString() }
        : k,
    );
    const envManaged = this.options.envKey !== undefined;
    const keys: StoredKey[] = [...retired];
    if (envManaged && previousKeyId !== undefined && !keys.some((k) => k.id === previousKeyId)) {
      // Processes still running with the old AIDEV_ENCRYPTION_KEY seal with it until restarted.
      const old = this.keys.get(previousKeyId);
      if (old !== undefined) keys.push(stored(previousKeyId, old, now, true));
    }
    // An operator-managed key is handed over once and never written down.
    if (!envManaged) keys.push(stored(keyId, fresh, now, false));
    await this.writeFile({ version: 1, active: envManaged ? content.active : keyId, keys });
    this.keys.set(keyId, fresh);
    this.override = keyId;
    if (!envManaged) this.fileActive = keyId;
    return {
      keyId,
      previousKeyId,
      ...(envManaged ? { keyToInstall: fresh.toString('base64') } : {}),
    };
  }

  private async reload(): Promise<void> {
    const content = await this.readFile();
    for (const entry of content.keys) this.keys.set(entry.id, Buffer.from(entry.key, 'base64'));
    this.fileActive = content.active;
  }

  private async readFile(): Promise<KeyFileContent> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { version: 1, active: null, keys: [] };
      throw error;
    }
    try {
      return JSON.parse(text) as KeyFileContent;
    } catch (error) {
      throw new AppError('config_invalid', `${this.file} is not a valid keys file`, {
        cause: error,
        hint: 'restore it from a backup; without it stored credentials cannot be read',
      });
    }
  }

  /** Creates the keys file with a first key; a process that loses the race uses the winner's. */
  private async generateFirstKey(): Promise<string> {
    const key = randomBytes(32);
    const id = keyIdOf(key);
    const now = new Date();
    const created = await this.createFileOnce({
      version: 1,
      active: id,
      keys: [stored(id, key, now, false)],
    });
    await this.reload();
    const active = this.fileActive;
    if (active === null) throw new Error(`${this.file} names no active key`);
    if (created) {
      const log = { file: this.file, keyId: id };
      if (this.options.sharedDatabase === true)
        this.options.logger.warn(
          log,
          `generated an encryption key for stored credentials in ${this.file}; every aidev process sharing this database needs the same key: set AIDEV_ENCRYPTION_KEY`,
        );
      else
        this.options.logger.info(
          log,
          `generated an encryption key for stored credentials in ${this.file} (mode 0600); back it up, or set AIDEV_ENCRYPTION_KEY`,
        );
    }
    return active;
  }

  /** Writes the file only if it does not exist yet (link is atomic and fails on EEXIST). */
  private async createFileOnce(content: KeyFileContent): Promise<boolean> {
    await mkdir(this.options.dataDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
    await chmod(temporary, 0o600);
    try {
      await link(temporary, this.file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  private async writeFile(content: KeyFileContent): Promise<void> {
    await mkdir(this.options.dataDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
  }
}

function stored(id: string, key: Buffer, now: Date, retired: boolean): StoredKey {
  return {
    id,
    key: key.toString('base64'),
    created_at: now.toISOString(),
    ...(retired ? { retired_at: now.toISOString() } : {}),
  };
}

/** AIDEV_ENCRYPTION_KEY as the configuration accepts it: 64 hex characters, or base64. */
export function decodeKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new AppError('config_invalid', 'AIDEV_ENCRYPTION_KEY: not 256 bits');
  return key;
}

/** A key's public name: a hash of it, so ids agree across processes and reveal nothing. */
export function keyIdOf(key: Buffer): string {
  return `k${createHash('sha256').update('aidev key id\0').update(key).digest('hex').slice(0, 16)}`;
}
