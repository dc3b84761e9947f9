import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { githubError } from './github-json.js';

/** A GitHub App the local GitHub knows: its id, slug, public key and installations. */
export interface LocalGitHubApp {
  readonly id: number;
  readonly slug: string;
  /** The public half of the App's key (PEM or KeyObject): each JWT is checked with it. */
  readonly publicKey: string | KeyObject;
  /** Each installation acts on the repositories of one account (user or organisation). */
  readonly installations: readonly { readonly id: number; readonly account: string }[];
  /** How long an installation token lasts; GitHub's last an hour. */
  readonly tokenLifetimeMs?: number;
  /** The id of the App's bot user, `<slug>[bot]`. */
  readonly botUserId?: number;
}

/** A JWT lasts at most ten minutes on GitHub; `iat` may be a minute ahead (clock drift). */
const MAX_JWT_LIFE_S = 600;
const DRIFT_S = 60;

/** An installation token the server handed out. */
export interface IssuedToken {
  readonly installationId: number;
  readonly account: string;
  readonly expiresAt: number;
}

/**
 * What GitHub does for an App: checks the JWTs it signs (RS256 with its key, `iss` its id,
 * `iat`/`exp` sane) and hands out installation tokens that expire, then accepts them as it
 * accepts a token — for the installation's account's repositories only.
 */
export class GitHubAppState {
  readonly issued = new Map<string, IssuedToken>();
  /** Every JWT the server accepted, and every token it made (for tests that count them). */
  jwtsAccepted = 0;
  tokensCreated = 0;
  /** How long the next tokens last (a test shortens it to see them renewed). */
  tokenLifetimeMs: number;
  /**
   * The clock tokens are made and checked by (JWTs keep the real one): a test moves it, and the
   * plugin's, past a token's hour instead of waiting for a short-lived token to run out.
   */
  now: () => number = Date.now;
  private readonly publicKey: KeyObject;

  constructor(readonly app: LocalGitHubApp) {
    this.tokenLifetimeMs = app.tokenLifetimeMs ?? 3_600_000;
    this.publicKey =
      typeof app.publicKey === 'string' ? createPublicKey(app.publicKey) : app.publicKey;
  }

  get botLogin(): string {
    return `${this.app.slug}[bot]`;
  }

  get botUserId(): number {
    return this.app.botUserId ?? 41898282;
  }

  /** Checks `Authorization: Bearer <jwt>` as GitHub does for the `/app` routes. */
  verifyJwt(authorization: string): void {
    const match = /^Bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization);
    if (match === null) throw githubError(401, 'A JSON web token could not be decoded');
    const [, head = '', body = '', signature = ''] = match;
    const header = decode(head);
    const claims = decode(body);
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${head}.${body}`),
      this.publicKey,
      Buffer.from(signature, 'base64url'),
    );
    if (header?.alg !== 'RS256' || claims === undefined || !signed)
      throw githubError(401, 'A JSON web token could not be decoded');
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, iss } = claims;
    if (typeof iat !== 'number' || iat > now + DRIFT_S)
      throw githubError(
        401,
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued.",
      );
    if (typeof exp !== 'number' || exp <= now)
      throw githubError(
        401,
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires.",
      );
    if (exp - iat > MAX_JWT_LIFE_S + DRIFT_S)
      throw githubError(401, "'Expiration time' claim ('exp') is too far in the future.");
    if (String(iss) !== String(this.app.id)) throw githubError(401, 'Integration not found');
    this.jwtsAccepted += 1;
  }

  installation(id: number) {
    return this.app.installations.find((i) => i.id === id);
  }

  installationFor(owner: string) {
    return this.app.installations.find((i) => i.account.toLowerCase() === owner.toLowerCase());
  }

  /** A new installation token (`ghs_…`) that lasts `tokenLifetimeMs`. */
  createToken(installationId: number): { token: string; expiresAt: number } {
    const installation = this.installation(installationId);
    if (installation === undefined) throw githubError(404, 'Not Found');
    const token = `ghs_${randomBytes(18).toString('hex')}`;
    const expiresAt = this.now() + this.tokenLifetimeMs;
    this.issued.set(token, { installationId, account: installation.account, expiresAt });
    this.tokensCreated += 1;
    return { token, expiresAt };
  }

  /** The installation a token is for while it lasts; undefined for another or expired one. */
  tokenFor(token: string): IssuedToken | undefined {
    const issued = this.issued.get(token);
    return issued !== undefined && issued.expiresAt > this.now() ? issued : undefined;
  }
}

function decode(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
