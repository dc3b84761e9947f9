import type { FastifyReply } from 'fastify';

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
  409: 'Conflict',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}
