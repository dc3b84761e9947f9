import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem, type Problem } from './problem.js';

/**
 * Problems answered before a route is found, in the same application/problem+json as every
 * other error: by the router (a malformed or over-long path, `frameworkErrors`) and by Node's
 * HTTP parser (headers too large, a request that is not HTTP, `clientErrorHandler`).
 */

/** Longest part of a path (between slashes) the router matches: Fastify's default. */
export const MAX_PATH_PART = 100;

/** Fastify's `frameworkErrors`: the router's refusals, which otherwise answer plain JSON. */
export function frameworkErrors(
  error: Error & { code?: string },
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const refused =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? problem(
          414,
          'uri-too-long',
          `expected each part of the URL's path to be at most ${MAX_PATH_PART} characters, found a longer one`,
        )
      : problem(
          400,
          'bad-request',
          'expected a URL path with valid percent-encoding (%XX), found one that does not decode',
        );
  void sendProblem(reply, refused.problem);
}

const CLIENT_PROBLEMS: Readonly<Record<string, Problem>> = {
  HPE_HEADER_OVERFLOW: problem(
    431,
    'headers-too-large',
    'expected the request line and headers to fit in 16 KB, found more: send a shorter URL or fewer, shorter headers',
  ).problem,
  ERR_HTTP_REQUEST_TIMEOUT: problem(
    408,
    'request-timeout',
    'the request did not arrive in time; send it again',
  ).problem,
};

const NOT_HTTP = problem(
  400,
  'bad-request',
  'expected an HTTP/1.1 request, found bytes that do not parse as one',
).problem;

/**
 * Fastify's `clientErrorHandler` (Node's `clientError`): the parser gave up, so there is no
 * request to reply to, only the socket. The answer is written to it whole, then it is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = CLIENT_PROBLEMS[error.code ?? ''] ?? NOT_HTTP;
  const body = JSON.stringify(answer);
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Error'}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  socket.destroy(error);
}
