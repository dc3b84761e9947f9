import type { FastifyRequest } from 'fastify';

/**
 * A URL as it may be logged: its path, and its query's parameter names with their values
 * replaced. A value can be a credential (Jira Data Center's webhook sends its secret as
 * `?token=`), and the names alone say enough to follow a request.
 *
 * @example urlForLog('/jira/webhooks?token=s3cret') === '/jira/webhooks?token=[REDACTED]'
 */
export function urlForLog(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => `${(part.split('=')[0] ?? '').slice(0, 64)}=[REDACTED]`);
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/**
 * The `req` serializer of the server's logger: Fastify's own fields, with the URL through
 * {@link urlForLog}. It replaces Fastify's, which logs the URL whole.
 */
export function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: urlForLog(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket.remotePort,
  };
}
