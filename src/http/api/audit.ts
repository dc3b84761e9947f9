import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app/create-app.js';
import type { JsonObject, JsonValue } from '../../store/sql.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes every mutating API call to the audit log, before the answer leaves: who (the token),
 * what (the route's action and target), the outcome's status, and what the handler added
 * (the state before and after). Refused calls (403, 404, 409, 422) are written too; a call whose
 * service writes its own entry on success is not written twice.
 */
export function auditor(app: App) {
  return async function audit(
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> {
    const config = request.routeOptions.config.audit;
    const principal = request.principal;
    if (!MUTATING.has(request.method) || config === undefined || principal === undefined)
      return payload;
    const status = reply.statusCode;
    if (status === 429 || (config.self === true && status < 400)) return payload;
    const detail = request.auditDetail ?? {};
    const params = request.params as Record<string, string | undefined>;
    const targetId = detail.targetId ?? params.id ?? params.key;
    try {
      await app.store.audit.append({
        actor: principal.actor,
        action: config.action,
        ...(config.target === undefined ? {} : { targetType: config.target }),
        ...(targetId === undefined ? {} : { targetId }),
        ...(detail.before === undefined ? {} : { before: detail.before as JsonValue }),
        ...(detail.after === undefined ? {} : { after: detail.after as JsonValue }),
        metadata: {
          token_name: principal.name,
          status,
          ...(status >= 400 ? { refused: true } : {}),
          ...(detail.metadata as JsonObject | undefined),
        },
      });
    } catch (error) {
      // The change is made; failing its answer now would only make the client retry it.
      request.log.error({ err: error, action: config.action }, 'could not write the audit log');
    }
    return payload;
  };
}

export interface AuditConfig {
  /** The audit log's action, e.g. `run.cancel`. */
  readonly action: string;
  /** What the path's `id` names, e.g. `run`. */
  readonly target?: string;
  /** The service writes its own entry on success (with before and after). */
  readonly self?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How a mutating route is written to the audit log. */
    audit?: AuditConfig;
  }
  interface FastifyRequest {
    /** What a handler adds to its audit entry: the target, the state before and after. */
    auditDetail?: {
      targetId?: string;
      before?: unknown;
      after?: unknown;
      metadata?: Record<string, unknown>;
    };
  }
}
