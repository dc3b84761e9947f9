import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import type { GitRepository } from './git-repository.js';
import { serverGitEnv } from './server-git.js';

/** One request to git's smart HTTP protocol, as the server saw it. */
export interface GitRequest {
  readonly method: string;
  /** `/acme/shop.git/info/refs`, … */
  readonly path: string;
  /** `git-upload-pack` (clone, fetch) or `git-receive-pack` (push). */
  readonly service: string;
  status: number;
}

export interface SmartHttpOptions {
  /** Whether a password (a token) may read and write `owner`'s repositories. */
  readonly accepts: (password: string, owner: string) => boolean;
  readonly repository: (owner: string, name: string) => GitRepository | undefined;
  readonly requests: GitRequest[];
  /** Runs before git answers an authorized request (a test moving a branch meanwhile). */
  readonly before?: (request: GitRequest, repository: GitRepository) => Promise<void>;
}

// GitHub serves a repository at /OWNER/REPO.git and /OWNER/REPO.
const ROUTE = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const SERVICES = new Set(['git-upload-pack', 'git-receive-pack']);

/**
 * git's smart HTTP protocol as GitHub serves it: HTTP Basic with the token as password (any
 * user name), 401 with GitHub's challenge otherwise, 404 for a repository the token cannot
 * see, and the protocol itself spoken by `git http-backend` (CGI) over the bare repository the
 * REST API reads and writes. False when the request is not one of git's.
 */
export async function serveSmartHttp(
  req: IncomingMessage,
  res: ServerResponse,
  options: SmartHttpOptions,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const match = ROUTE.exec(url.pathname);
  if (match === null) return false;
  const [, owner = '', name = '', endpoint = ''] = match;
  const service = endpoint === 'info/refs' ? (url.searchParams.get('service') ?? '') : endpoint;
  const recorded: GitRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    service,
    status: 0,
  };
  options.requests.push(recorded);
  const answer = (status: number, text: string, headers: Record<string, string> = {}) => {
    recorded.status = status;
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(text);
    return true;
  };

  const user = basicUser(req.headers.authorization, (secret) => options.accepts(secret, owner));
  if (user === undefined)
    return answer(401, 'Invalid username or token.\n', {
      'www-authenticate': 'Basic realm="GitHub"',
    });
  const repository = options.repository(owner, name);
  if (repository === undefined) return answer(404, 'Repository not found.\n');
  // GitHub has no dumb protocol: only the two smart services.
  if (!SERVICES.has(service)) return answer(403, 'Please upgrade your git client.\n');

  await options.before?.(recorded, repository);
  const rest = endpoint === 'info/refs' ? '/info/refs' : `/${endpoint}`;
  await runHttpBackend(req, res, recorded, {
    GIT_PROJECT_ROOT: path.dirname(repository.dir),
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${path.basename(repository.dir)}${rest}`,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: user,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    // Protocol v2 travels in this header; http-backend hands it to git as GIT_PROTOCOL.
    ...(typeof req.headers['git-protocol'] === 'string'
      ? { HTTP_GIT_PROTOCOL: req.headers['git-protocol'] }
      : {}),
  });
  return true;
}

/** The user name of a Basic authorization whose password (or user name) is a good token. */
export function basicUser(
  authorization: string | undefined,
  good: (token: string) => boolean,
): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [userName, password] =
    colon === -1 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  // GitHub takes the token as the password (any user name) or as the user name.
  if (password !== '' && good(password)) return userName === '' ? 'x-access-token' : userName;
  if (userName !== '' && good(userName)) return 'x-access-token';
  return undefined;
}

/**
 * Runs `git http-backend` for one request: the request body streamed to it (gunzipped when git
 * compressed it), its CGI headers turned into the response's status and headers, and the rest
 * of its output streamed back.
 */
export function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  recorded: GitRequest,
  cgi: Record<string, string>,
): Promise<void> {
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  const gzipped = encoding === 'gzip' || encoding === 'x-gzip';
  const length = req.headers['content-length'];
  const child = spawn('git', ['http-backend'], {
    env: {
      ...serverGitEnv,
      ...cgi,
      // A body we gunzip has another length; without one http-backend reads to the end.
      ...(!gzipped && length !== undefined ? { CONTENT_LENGTH: length } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const body = gzipped ? req.pipe(createGunzip()) : req;
  body.pipe(child.stdin);
  // http-backend may answer (an error) before reading the whole body.
  child.stdin.on('error', () => undefined);
  body.on('error', () => child.kill());

  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let head = Buffer.alloc(0);
  let streaming = false;
  const onHead = (chunk: Buffer) => {
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (end === undefined) return;
    const { status, headers } = cgiHeaders(head.subarray(0, end.start).toString('latin1'));
    recorded.status = status;
    res.writeHead(status, headers);
    streaming = true;
    res.write(head.subarray(end.after));
    // The pack that follows may be large: let the client's pace drive git's.
    child.stdout.off('data', onHead);
    child.stdout.pipe(res);
  };
  child.stdout.on('data', onHead);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (!streaming) {
        recorded.status = 500;
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend failed (${String(code)}): ${Buffer.concat(stderr).toString()}`);
      }
      resolve();
    });
  });
}

function headerEnd(buffer: Buffer): { start: number; after: number } | undefined {
  const crlf = buffer.indexOf('\r\n\r\n');
  if (crlf !== -1) return { start: crlf, after: crlf + 4 };
  const lf = buffer.indexOf('\n\n');
  return lf === -1 ? undefined : { start: lf, after: lf + 2 };
}

/** CGI response headers: `Status: 404 Not Found` becomes the status, the rest headers. */
function cgiHeaders(text: string): { status: number; headers: Record<string, string> } {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
