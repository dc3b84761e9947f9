import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error.js';
import type { ApiToken, TokenRole } from '../store/repositories/api-tokens.js';
import type { Store } from '../store/store.js';

export { TOKEN_ROLES, type TokenRole } from '../store/repositories/api-tokens.js';

const TOKEN_PREFIX = 'aidev_';
/** Enough of the token to recognise it in a list, too little to guess the rest. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;
const TOKEN_PATTERN = /^aidev_[A-Za-z0-9_-]{43}$/;

/**
 * The stored form of a token. A token is 256 random bits, so a fast hash is enough: there is
 * nothing to brute-force, and each request is checked with one indexed lookup.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(text: string): boolean {
  return TOKEN_PATTERN.test(text);
}

/** Creates a token; the token itself is returned this once and never stored. */
export async function issueToken(
  store: Store,
  request: {
    readonly name: string;
    readonly role: TokenRole;
    readonly createdBy: string;
    readonly expiresAt?: Date;
  },
): Promise<{ token: string; record: ApiToken }> {
  if (!/^[\w.@:-]{1,64}$/.test(request.name))
    throw new AppError(
      'invalid_input',
      `name: expected 1 to 64 letters, digits or . _ - @ :, found ${JSON.stringify(request.name)}`,
    );
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record = await store.transaction(async (tx) => {
    const created = await tx.tokens.create({
      name: request.name,
      role: request.role,
      tokenPrefix: token.slice(0, SHOWN_PREFIX_LENGTH),
      tokenHash: hashToken(token),
      createdBy: request.createdBy,
      ...(request.expiresAt === undefined ? {} : { expiresAt: request.expiresAt }),
    });
    await tx.audit.append({
      actor: request.createdBy,
      action: 'token.create',
      targetType: 'api_token',
      targetId: created.id,
      after: { name: created.name, role: created.role, prefix: created.tokenPrefix },
    });
    return created;
  });
  return { token, record };
}

/** Revokes a token; false when there is no such token or it was already revoked. */
export async function revokeToken(store: Store, id: string, actor: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    const revoked = await tx.tokens.revoke(id);
    if (revoked)
      await tx.audit.append({
        actor,
        action: 'token.revoke',
        targetType: 'api_token',
        targetId: id,
      });
    return revoked;
  });
}

const RANK: Readonly<Record<TokenRole, number>> = { viewer: 0, operator: 1, admin: 2 };

/** Roles include the ones below them: an admin may do what an operator may, and so on. */
export function roleAllows(role: TokenRole, required: TokenRole): boolean {
  return RANK[role] >= RANK[required];
}
