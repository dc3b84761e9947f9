import type { FastifyReply } from 'fastify';
import { isAppError, type ErrorCode } from '../errors/app-error.js';

/**
 * Errors as `application/problem+json` (RFC 9457): a stable `type`, a `title`, the status, a
 * human `detail`, and for validation failures the field paths. Never a stack trace.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_BASE = 'https://aidev.dev/problems/';

export class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'HttpProblem';
  }
}

export function problem(
  status: number,
  type: string,
  detail: string,
  extra: Omit<Partial<Problem>, 'type' | 'status' | 'detail'> = {},
): HttpProblem {
  return new HttpProblem({
    type: `${PROBLEM_BASE}${type}`,
    title: typeof extra.title === 'string' ? extra.title : (TITLES[status] ?? 'Error'),
    status,
    detail,
    ...extra,
  });
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Content too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  426: 'Upgrade required',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
};

/** The `type` of the client errors Fastify raises itself (bad JSON, too large, wrong type). */
const FRAMEWORK_TYPES: Readonly<Record<number, string>> = {
  413: 'too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
};

/** Fastify's own refusals of a body, said as what was expected and what was found. */
const FRAMEWORK_DETAILS: Readonly<Record<string, string>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'expected a body of at most 1 MB, found a larger one',
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'expected a body as application/json (or a media type the operation lists), found another Content-Type',
  FST_ERR_CTP_EMPTY_JSON_BODY:
    'expected a JSON body, found an empty one: send one, or no Content-Type',
  FST_ERR_CTP_INVALID_JSON_BODY: 'expected a JSON body, found text that does not parse as JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH:
    'expected a body as long as its Content-Length says, found another length',
};

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}

/** Where a field of a request is: its body, its query string, its path, or a header. */
export type FieldLocation = 'body' | 'query' | 'path' | 'header';

export interface FieldError {
  readonly path: string;
  readonly message: string;
  readonly in?: FieldLocation;
}

/** 422 with every problem of a request at once, each with its field path. */
export function validationProblem(
  errors: readonly FieldError[],
  type = 'validation',
  lead = 'the request does not validate',
): HttpProblem {
  const shown = errors
    .slice(0, 3)
    .map((e) => (e.path === '' ? e.message : `${e.path}: ${e.message}`))
    .join('; ');
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return problem(422, type, `${lead}: ${shown}${more}`, { errors });
}

const APP_ERROR_STATUS: Readonly<Partial<Record<ErrorCode, [number, string]>>> = {
  not_found: [404, 'not-found'],
  conflict: [409, 'conflict'],
  invalid_input: [422, 'invalid-input'],
  config_invalid: [422, 'invalid-configuration'],
  database_unreachable: [503, 'database-unavailable'],
  database_unavailable: [503, 'database-unavailable'],
  database_busy: [503, 'database-unavailable'],
};

/**
 * The problem an error stands for, when it is one a client can act on: our own problems,
 * coded errors (not found, conflict, invalid input), and Fastify's 4xx (bad JSON, too large).
 * Anything else is a server fault, returned as undefined for the caller to log.
 */
export function problemOf(error: unknown): Problem | undefined {
  if (error instanceof HttpProblem) return error.problem;
  if (isAppError(error)) {
    const mapped = APP_ERROR_STATUS[error.code];
    if (mapped === undefined) return undefined;
    const detail = error.hint === undefined ? error.message : `${error.message} (${error.hint})`;
    return problem(mapped[0], mapped[1], detail).problem;
  }
  const {
    statusCode: status,
    message,
    code,
  } = error as {
    statusCode?: number;
    message?: string;
    code?: string;
  };
  if (status !== undefined && status >= 400 && status < 500) {
    // A body JSON.parse refused (or one with a __proto__ key) carries only the parser's words.
    const detail =
      FRAMEWORK_DETAILS[code ?? ''] ??
      (error instanceof SyntaxError
        ? `expected a JSON body, found one that does not parse (${message ?? 'unknown'})`
        : (message ?? 'bad request'));
    return problem(status, FRAMEWORK_TYPES[status] ?? 'bad-request', detail).problem;
  }
  return undefined;
}
