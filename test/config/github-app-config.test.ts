import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { pluginSettings, BUILT_IN_PLUGINS } from '../../src/app/plugins.js';
import { integrationChecks } from '../../src/cli/integration-checks.js';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { formatProblem } from '../../src/errors/problem.js';

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const ec = generateKeyPairSync('ec', {
  namedCurve: 'P-256',
  privateKeyEncoding: { type: 'sec1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
/** A line of the key's body: no message may contain it. */
const BODY = rsa.privateKey.split('\n')[3] ?? '';
/** The key as it is pasted on one line of an env file. */
const ONE_LINE = rsa.privateKey.trim().replaceAll('\n', '\\n');

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'aidev-github-app-config-'));
});

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

const github = BUILT_IN_PLUGINS.find((p) => p.name === 'github');

describe('GitHub App settings', () => {
  it('reads the key from one line with \\n escapes, and chooses the GitHub plugin', () => {
    const config = loadConfig({
      env: { GITHUB_APP_ID: '123456', GITHUB_APP_PRIVATE_KEY: ONE_LINE },
      cwd,
    });
    expect(config.github.app).toEqual({
      id: '123456',
      privateKey: rsa.privateKey.trim(),
      installationId: undefined,
    });
    expect(config.plugins.choices.version_control.use).toBe('github');
    // The key as read (real line breaks) is scrubbed from logs as well as the raw value.
    expect(config.secrets).toContain(rsa.privateKey.trim());
    expect(config.secrets).toContain(ONE_LINE);
  });

  it('reads the key from a .pem file, relative to the working directory', async () => {
    await writeFile(path.join(cwd, 'app.pem'), rsa.privateKey);
    const config = loadConfig({
      env: {
        GITHUB_APP_ID: '123456',
        GITHUB_APP_PRIVATE_KEY: 'app.pem',
        GITHUB_APP_INSTALLATION_ID: '987',
      },
      cwd,
    });
    expect(config.github.app).toEqual({
      id: '123456',
      privateKey: rsa.privateKey,
      installationId: 987,
    });
  });

  it('says what the key variable holds when it is no RSA private key, never the key', async () => {
    await writeFile(path.join(cwd, 'cert.pem'), ec.publicKey);
    const expected =
      'GITHUB_APP_PRIVATE_KEY: expected the GitHub App\'s RSA private key in PEM ("-----BEGIN RSA PRIVATE KEY-----", as GitHub downloads it)';
    const cases: [string, string][] = [
      [ec.privateKey, `${expected}, found an EC private key; GitHub Apps sign with RSA keys`],
      [ec.publicKey, `${expected}, found a PEM block labelled "PUBLIC KEY"`],
      ['cert.pem', `${expected}, found the file "cert.pem", which holds a PEM block labelled`],
      [
        rsa.privateKey.slice(0, 200),
        `${expected}, found a "RSA PRIVATE KEY" block that does not parse: cut short, or its line breaks lost`,
      ],
      [
        'missing.pem',
        'GITHUB_APP_PRIVATE_KEY: expected a PEM private key or the path of a .pem file, found "missing.pem" (no such file)',
      ],
      [
        BODY.repeat(30),
        `GITHUB_APP_PRIVATE_KEY: expected a PEM private key or the path of a .pem file, found a ${BODY.length * 30}-character value that is neither (hidden: it may be part of a key)`,
      ],
    ];
    for (const [value, message] of cases) {
      const found = problems({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: value });
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(message);
      expect(found[0]).not.toContain(BODY);
    }
  });

  it('asks for the settings an App needs together, and a numeric id', () => {
    expect(problems({ GITHUB_APP_ID: '1' })).toEqual([
      'GITHUB_APP_PRIVATE_KEY: expected to be set because GITHUB_APP_ID is set (a GitHub App signs in with its key), found nothing',
    ]);
    expect(problems({ GITHUB_APP_PRIVATE_KEY: ONE_LINE })).toEqual([
      'GITHUB_APP_ID: expected to be set because GITHUB_APP_PRIVATE_KEY is set (the GitHub App the key and installation belong to), found nothing',
    ]);
    const wrongId = problems({ GITHUB_APP_ID: 'aidev', GITHUB_APP_PRIVATE_KEY: ONE_LINE });
    expect(wrongId).toEqual([
      'GITHUB_APP_ID: expected a GitHub App id: a number such as 123456, found "aidev"',
    ]);
    // The key is never echoed, even when another setting is what is wrong.
    expect(
      problems({ GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: ONE_LINE, PORT: 'x' }).join('\n'),
    ).not.toContain(BODY);
  });

  it('prefers the App to GITHUB_TOKEN when both are set, and config check says so', () => {
    const config = loadConfig({
      env: {
        GITHUB_TOKEN: 'ghp_alsoSetButIgnored',
        GITHUB_APP_ID: '123456',
        GITHUB_APP_PRIVATE_KEY: ONE_LINE,
      },
      cwd,
    });
    if (github === undefined) throw new Error('no github plugin');
    const settings = pluginSettings(github, {}, config);
    expect(settings).toMatchObject({ app_id: '123456', api_url: 'https://api.github.com' });
    expect(settings).not.toHaveProperty('token');
    const check = integrationChecks(config, undefined).find((c) => c.name === 'github');
    expect(check).toEqual({
      name: 'github',
      status: 'warn',
      detail:
        "GitHub App 123456 (each repository's installation), API at https://api.github.com; GITHUB_TOKEN is set too and ignored: the App wins (unset one of them)",
    });
  });
});
