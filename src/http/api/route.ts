import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseWithProblems } from '../../errors/zod-problems.js';
import type { TokenRole } from '../../security/api-tokens.js';
import { validationProblem, type FieldError, type FieldLocation } from '../problem.js';
import type { AuditConfig } from './audit.js';
import { requirePrincipal, type Principal } from './authenticate.js';
import { guardInput } from './input-guard.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
}

/** What a handler gets: its validated inputs, who calls, and the raw request and reply. */
export interface RouteInput<P, Q, B, H = unknown> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly headers: H;
  readonly principal: Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/**
 * One API operation, declared once: its zod schemas validate the request (every problem
 * becomes a 422 with field paths) and describe it in the OpenAPI document. Before them, every
 * input passes the checks all routes share (`guardInput`: no NUL bytes, bounded nesting).
 */
export interface RouteSpec<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  H extends z.ZodType = z.ZodType<unknown>,
> {
  readonly method: HttpMethod;
  /** Fastify's form: `/runs/:id`. */
  readonly url: string;
  readonly role: TokenRole;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Request headers the route reads (lowercase names; others pass unchecked). */
  readonly headers?: H;
  /** Media types the body may come in besides application/json (as text). */
  readonly textBody?: readonly string[];
  /** Success responses; the problems every route can answer are added by the document. */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /** Problems this route answers beyond those every route can (e.g. 502 from a tracker). */
  readonly problems?: readonly number[];
  readonly audit?: AuditConfig;
  readonly tokenInQuery?: boolean;
  handler(input: RouteInput<z.output<P>, z.output<Q>, z.output<B>, z.output<H>>): Promise<unknown>;
}

/** A route with its types erased, ready to register and to describe. */
export interface ApiRoute {
  readonly method: HttpMethod;
  readonly url: string;
  readonly role: TokenRole;
  readonly tag: string;
  readonly summary: string;
  readonly description: string | undefined;
  readonly params: z.ZodType | undefined;
  readonly query: z.ZodType | undefined;
  readonly body: z.ZodType | undefined;
  readonly headers: z.ZodType | undefined;
  readonly textBody: readonly string[];
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  readonly problems: readonly number[];
  readonly audit: AuditConfig | undefined;
  readonly tokenInQuery: boolean;
  handle(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

export function defineRoute<
  P extends z.ZodType = z.ZodType<unknown>,
  Q extends z.ZodType = z.ZodType<unknown>,
  B extends z.ZodType = z.ZodType<unknown>,
  H extends z.ZodType = z.ZodType<unknown>,
>(spec: RouteSpec<P, Q, B, H>): ApiRoute {
  return {
    method: spec.method,
    url: spec.url,
    role: spec.role,
    tag: spec.tag,
    summary: spec.summary,
    description: spec.description,
    params: spec.params,
    query: spec.query,
    body: spec.body,
    headers: spec.headers,
    textBody: spec.textBody ?? [],
    responses: spec.responses,
    problems: spec.problems ?? [],
    audit: spec.audit,
    tokenInQuery: spec.tokenInQuery === true,
    async handle(request, reply) {
      const errors: FieldError[] = [];
      const params = validate(spec.params, request.params, 'path', errors);
      const query = validate(spec.query, request.query, 'query', errors);
      const body = validate(spec.body, request.body, 'body', errors);
      const headers = validate(spec.headers, request.headers, 'header', errors);
      if (errors.length > 0) throw validationProblem(errors);
      return spec.handler({
        params: params as z.output<P>,
        query: query as z.output<Q>,
        body: body as z.output<B>,
        headers: headers as z.output<H>,
        principal: requirePrincipal(request),
        request,
        reply,
      });
    },
  };
}

function validate(
  schema: z.ZodType | undefined,
  input: unknown,
  location: FieldLocation,
  errors: FieldError[],
): unknown {
  if (schema === undefined) return undefined;
  const guarded = guardInput(input, location);
  if (guarded.length > 0) {
    // The schema is not asked: the input may be what it would choke on.
    errors.push(...guarded);
    return undefined;
  }
  const parsed = parseWithProblems(schema, input ?? (location === 'body' ? undefined : {}));
  if (parsed.ok) return parsed.value;
  for (const p of parsed.problems) errors.push({ path: p.path, message: p.message, in: location });
  return undefined;
}

export function registerRoutes(fastify: FastifyInstance, routes: readonly ApiRoute[]): void {
  for (const route of routes) {
    fastify.route({
      method: route.method,
      url: route.url,
      config: {
        role: route.role,
        ...(route.audit === undefined ? {} : { audit: route.audit }),
        tokenInQuery: route.tokenInQuery,
      },
      handler: (request, reply) => route.handle(request, reply),
    });
  }
}
