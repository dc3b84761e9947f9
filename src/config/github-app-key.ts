import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const VARIABLE = 'GITHUB_APP_PRIVATE_KEY';
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----/;
/** Longer than any path people write; shorter than any key. */
const MAX_PATH = 1024;

/**
 * A GitHub App's private key as PEM text: an RSA private key (GitHub hands out PKCS#1,
 * `BEGIN RSA PRIVATE KEY`; PKCS#8 `BEGIN PRIVATE KEY` works too). Each failure says what was
 * found — the kind of PEM block, the kind of key — and never a byte of the key itself.
 *
 * @example rsaPrivateKeyPem('the file key.pem holds').parse(pem)
 */
export function rsaPrivateKeyPem(holder: string) {
  const expected = `expected the GitHub App's RSA private key in PEM ("-----BEGIN RSA PRIVATE KEY-----", as GitHub downloads it)`;
  return z.string().superRefine((pem, ctx) => {
    const found = (what: string) =>
      ctx.addIssue({ code: 'custom', message: `${expected}, ${what}` });
    const label = PEM.exec(pem)?.[1];
    if (label === undefined) return found(`${holder} no PEM block`);
    if (!label.includes('PRIVATE KEY'))
      return found(
        `${holder} a PEM block labelled "${label}" (a private key's label ends in PRIVATE KEY)`,
      );
    let type: string | undefined;
    try {
      type = createPrivateKey(pem).asymmetricKeyType;
    } catch {
      return found(
        `${holder} a "${label}" block that does not parse: cut short, or its line breaks lost (in an env file write them as \\n)`,
      );
    }
    if (type !== 'rsa')
      found(
        `${holder} ${type === undefined ? 'a' : `an ${type.toUpperCase()}`} private key; GitHub Apps sign with RSA keys`,
      );
  });
}

export type AppKeyOutcome =
  { readonly ok: true; readonly pem: string } | { readonly ok: false; readonly message: string };

/**
 * GITHUB_APP_PRIVATE_KEY as PEM: the PEM itself, with `\n` escapes read as line breaks (a key
 * pasted on one line of an env file), or the path (relative to `cwd`) of the `.pem` file.
 */
export function readAppKey(value: string, cwd: string): AppKeyOutcome {
  const text = value.trim();
  if (PEM.test(text)) return checked(text.replace(/\\r/g, '').replace(/\\n/g, '\n'), 'found');
  // Not PEM: a path. A long or multi-line value is key material pasted without its header:
  // it is never echoed.
  if (text.length > MAX_PATH || /[\n\r]/.test(text))
    return {
      ok: false,
      message: `expected a PEM private key or the path of a .pem file, found a ${text.length}-character value that is neither (hidden: it may be part of a key)`,
    };
  const file = path.resolve(cwd, text);
  let pem: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a readable file';
    return {
      ok: false,
      message: `expected a PEM private key or the path of a .pem file, found ${JSON.stringify(text)} (${why})`,
    };
  }
  return checked(pem, `found the file ${JSON.stringify(text)}, which holds`);
}

function checked(pem: string, holder: string): AppKeyOutcome {
  const result = rsaPrivateKeyPem(holder).safeParse(pem);
  if (result.success) return { ok: true, pem: result.data };
  return { ok: false, message: result.error.issues[0]?.message ?? `${VARIABLE} is not usable` };
}

/** The GitHub section of the configuration: a token, an App, or neither. */
export interface GitHubAppSettings {
  readonly id: string;
  /** The private key as PEM (a secret), whether it was given inline or as a file. */
  readonly privateKey: string;
  /** Unset: each repository's installation is asked of GitHub. */
  readonly installationId: number | undefined;
}

/** The App the environment describes (undefined without GITHUB_APP_ID), or what is wrong. */
export function githubAppOf(
  env: {
    readonly GITHUB_APP_ID?: string | undefined;
    readonly GITHUB_APP_PRIVATE_KEY?: string | undefined;
    readonly GITHUB_APP_INSTALLATION_ID?: string | undefined;
  },
  cwd: string,
): { app?: GitHubAppSettings; problem?: { path: string; message: string } } {
  // A missing companion is reported by missingCompanions.
  if (env.GITHUB_APP_ID === undefined || env.GITHUB_APP_PRIVATE_KEY === undefined) return {};
  const key = readAppKey(env.GITHUB_APP_PRIVATE_KEY, cwd);
  if (!key.ok) return { problem: { path: VARIABLE, message: key.message } };
  return {
    app: {
      id: env.GITHUB_APP_ID,
      privateKey: key.pem,
      installationId:
        env.GITHUB_APP_INSTALLATION_ID === undefined
          ? undefined
          : Number(env.GITHUB_APP_INSTALLATION_ID),
    },
  };
}
