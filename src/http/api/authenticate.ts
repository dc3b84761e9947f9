import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/create-app.js';
import {
  hashToken,
  looksLikeToken,
  roleAllows,
  type TokenRole,
} from '../../security/api-tokens.js';
import type { ApiToken } from '../../store/repositories/api-tokens.js';
import { problem, sendProblem } from '../problem.js';
import type { RateLimiter } from './rate-limit.js';

/** Who is calling: the API token, by id and name, and what it may do. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: TokenRole;
  /** The audit log's actor: `token:<id>`. */
  readonly actor: string;
  /** How decisions and runs name it (the run log is read by people): `token:<name>`. */
  readonly by: string;
}

/** Recording each use would write on every request; once a minute says enough. */
const MARK_USED_EVERY_MS = 60_000;

/**
 * The API's gate, run before every route: a bearer token (or `?token=` where the route allows
 * it, for browsers' WebSockets), neither unknown, revoked nor expired; within its rate limit;
 * with the role the route asks for. Failures answer 401, 429 or 403 as problem+json.
 */
export function authenticator(app: App, limiter: RateLimiter) {
  const lastMarked = new Map<string, number>();

  function markUsed(token: ApiToken): void {
    const now = Date.now();
    if (now - (lastMarked.get(token.id) ?? 0) < MARK_USED_EVERY_MS) return;
    lastMarked.set(token.id, now);
    app.store.tokens
      .markUsed(token.id, new Date(now))
      .catch((error: unknown) => app.logger.warn({ err: error }, 'could not record a token use'));
  }

  return async function authenticate(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const required = request.routeOptions.config.role;
    if (required === undefined) return undefined;
    const presented = presentedToken(request);
    if (presented === undefined)
      return unauthorized(
        reply,
        'this needs an API token: send Authorization: Bearer <token> (`aidev token create` makes one)',
      );
    const token = await findToken(app, presented);
    const refused = tokenRefusal(token);
    if (refused !== undefined || token === null)
      return unauthorized(reply, refused ?? 'the API token is not one aidev issued');
    const wait = limiter.take(token.id);
    if (wait > 0) {
      reply.header('Retry-After', String(wait));
      return sendProblem(
        reply,
        problem(429, 'rate-limited', `too many requests with this token; retry in ${wait} s`)
          .problem,
      );
    }
    // Known from here on, so that a refused attempt is audited with who made it.
    request.principal = principalOf(token);
    markUsed(token);
    if (!roleAllows(token.role, required))
      return sendProblem(
        reply,
        problem(
          403,
          'forbidden',
          `this needs the ${required} role; the token "${token.name}" has the ${token.role} role`,
        ).problem,
      );
    return undefined;
  };
}

/**
 * Why a stored token may not be used now (unknown, revoked, expired), or undefined when it may:
 * checked on every request, and again, while they stay open, for the event streams it opened.
 */
export function tokenRefusal(token: ApiToken | null, now = new Date()): string | undefined {
  if (token === null) return 'the API token is not one aidev issued';
  if (token.revokedAt !== null) return `the API token "${token.name}" was revoked`;
  if (token.expiresAt !== null && token.expiresAt <= now)
    return `the API token "${token.name}" expired at ${token.expiresAt.toISOString()}`;
  return undefined;
}

function principalOf(token: ApiToken): Principal {
  return {
    tokenId: token.id,
    name: token.name,
    role: token.role,
    actor: `token:${token.id}`,
    by: `token:${token.name}`,
  };
}

/** The stored token a client presented, revoked and expired ones included (see tokenRefusal). */
export async function findToken(app: App, presented: string): Promise<ApiToken | null> {
  return looksLikeToken(presented) ? app.store.tokens.lookup(hashToken(presented)) : null;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return bearerToken(header);
  if (request.routeOptions.config.tokenInQuery !== true) return undefined;
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.token === 'string' ? query.token : undefined;
}

function unauthorized(reply: FastifyReply, detail: string): FastifyReply {
  reply.header('WWW-Authenticate', 'Bearer realm="aidev"');
  return sendProblem(reply, problem(401, 'unauthorized', detail).problem);
}

/** The principal of a request that passed `authenticate`. */
export function requirePrincipal(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new Error('the route ran without authentication');
  return request.principal;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role that may call the route; unset means the route is open. */
    role?: TokenRole;
    /** The token may come as `?token=` (browsers cannot set headers on a WebSocket). */
    tokenInQuery?: boolean;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}
