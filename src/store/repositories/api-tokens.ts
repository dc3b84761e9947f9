import type { Queryable } from '../database.js';
import { isUuid } from '../sql.js';

export const TOKEN_ROLES = ['viewer', 'operator', 'admin'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

/** An API token as stored: a hash and a short prefix to recognise it by, never the token. */
export interface ApiToken {
  readonly id: string;
  readonly name: string;
  readonly role: TokenRole;
  readonly tokenPrefix: string;
  readonly createdBy: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  token_prefix: string;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS =
  'id, name, role, token_prefix, created_by, created_at, expires_at, last_used_at, revoked_at';

function toToken(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tokenPrefix: row.token_prefix,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function createApiTokensRepository(db: Queryable) {
  return {
    async create(token: {
      name: string;
      role: TokenRole;
      tokenPrefix: string;
      tokenHash: string;
      createdBy?: string;
      expiresAt?: Date;
    }): Promise<ApiToken> {
      const { rows } = await db.query<TokenRow>(
        `INSERT INTO api_tokens (name, role, token_prefix, token_hash, created_by, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [
          token.name,
          token.role,
          token.tokenPrefix,
          token.tokenHash,
          token.createdBy ?? null,
          token.expiresAt ?? null,
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new Error('token insert returned nothing');
      return toToken(row);
    },

    /** The token with this hash if it is neither revoked nor expired; records its use. */
    async authenticate(tokenHash: string, now = new Date()): Promise<ApiToken | null> {
      const { rows } = await db.query<TokenRow>(
        `UPDATE api_tokens SET last_used_at = $2
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)
         RETURNING ${COLUMNS}`,
        [tokenHash, now],
      );
      return rows[0] === undefined ? null : toToken(rows[0]);
    },

    /**
     * The token with this hash, revoked or expired ones included (so the caller can say which),
     * without writing: request authentication reads only, and records use with `markUsed`.
     */
    async lookup(tokenHash: string): Promise<ApiToken | null> {
      const { rows } = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens WHERE token_hash = $1`,
        [tokenHash],
      );
      return rows[0] === undefined ? null : toToken(rows[0]);
    },

    async markUsed(id: string, at: Date): Promise<void> {
      await db.query(
        'UPDATE api_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)',
        [id, at],
      );
    },

    async get(id: string): Promise<ApiToken | null> {
      if (!isUuid(id)) return null;
      const { rows } = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = $1`, [
        id,
      ]);
      return rows[0] === undefined ? null : toToken(rows[0]);
    },

    async revoke(id: string): Promise<boolean> {
      if (!isUuid(id)) return false;
      const { rowCount } = await db.query(
        'UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
        [id],
      );
      return rowCount > 0;
    },

    async list(): Promise<ApiToken[]> {
      const { rows } = await db.query<TokenRow>(
        `SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at, id`,
      );
      return rows.map(toToken);
    },
  };
}

export type ApiTokensRepository = ReturnType<typeof createApiTokensRepository>;
