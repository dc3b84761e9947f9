import { lookup as dnsLookup } from 'node:dns/promises';
import { chmod } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Logger } from '../log/create-logger.js';
import { hostAllowed } from './sandbox-policy.js';

/** Resolves a host name to its addresses (injectable, so tests can name their own servers). */
export type Resolve = (host: string) => Promise<readonly string[]>;

export interface ProxyOptions {
  /**
   * The Unix socket the proxy listens on (bound into bubblewrap's sandbox). Without one it
   * listens on a loopback port of its own (Seatbelt's sandbox shares the host's network, and its
   * profile lets the command reach that one port).
   */
  readonly socketPath?: string;
  readonly allowedHosts: readonly string[];
  readonly logger: Logger;
  readonly resolve?: Resolve;
  /**
   * Whether an address may be connected to. Only public unicast addresses by default: a host
   * name that resolves to loopback or a private network (DNS rebinding) reaches nothing.
   */
  readonly addressAllowed?: (address: string) => boolean;
  /** Ports a tunnel may go to: HTTPS only, unless a test serves its registry elsewhere. */
  readonly ports?: readonly number[];
}

export interface RunningProxy {
  /** Hosts asked for and refused, for the command's failure message. */
  readonly refused: ReadonlySet<string>;
  /** The loopback port it listens on, when it has no socket path. */
  readonly port: number | undefined;
  close(): Promise<void>;
}

/**
 * Ranges that reach this machine or the networks beside it: loopback, private and link-local
 * networks, carrier-grade NAT, "this network", multicast and the IPv6 forms that embed an IPv4
 * address. An address in none of them is the internet (or, here, a registry's mirror).
 */
const INTERNAL_RANGES = new Set([
  'loopback',
  'private',
  'linkLocal',
  'uniqueLocal',
  'unspecified',
  'carrierGradeNat',
  'multicast',
  'broadcast',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
]);

export const publicAddress = (address: string): boolean =>
  ipaddr.isValid(address) && !INTERNAL_RANGES.has(ipaddr.process(address).range());

const systemResolve: Resolve = async (host) =>
  (await dnsLookup(host, { all: true })).map((entry) => entry.address);

/**
 * The only way out of a setup command's sandbox: an HTTPS (CONNECT) proxy on a Unix socket that
 * lets through the allowed hosts on port 443, connects to the address it resolved itself (so a
 * name cannot be re-pointed at the host's own services between check and use), and nothing else.
 */
export async function startNetworkProxy(options: ProxyOptions): Promise<RunningProxy> {
  const resolve = options.resolve ?? systemResolve;
  const addressAllowed = options.addressAllowed ?? publicAddress;
  const ports = new Set(options.ports ?? [443]);
  const refused = new Set<string>();
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    // Plain HTTP would carry a registry token in the clear: HTTPS only.
    response.writeHead(403, { 'content-type': 'text/plain' });
    response.end('aidev sandbox: only HTTPS (CONNECT) to allowed hosts goes through\n');
    refused.add(request.headers.host ?? 'http');
  });
  server.on('connect', (request: IncomingMessage, client: Socket) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    void tunnel(request.url ?? '', client);
  });

  async function tunnel(target: string, client: Socket): Promise<void> {
    const { host, port } = splitTarget(target);
    const deny = (why: string) => {
      refused.add(host);
      options.logger.warn({ host, port, why }, 'sandbox proxy refused a connection');
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${why}\n`);
    };
    if (!ports.has(port) || !hostAllowed(host, options.allowedHosts))
      return deny(`${host}:${port} is not an allowed registry (sandbox.setup_hosts)`);
    let address: string | undefined;
    try {
      address = (await resolve(host)).find(addressAllowed);
    } catch {
      return deny(`${host} could not be resolved`);
    }
    if (address === undefined) return deny(`${host} resolves to no public address`);
    const upstream = connect({ host: address, port });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (client.writable && upstream.connecting) deny(`${host} did not answer`);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  }

  const { socketPath } = options;
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    if (socketPath === undefined) server.listen(0, '127.0.0.1', ready);
    else server.listen(socketPath, ready);
  });
  // The command inside may run as another user: it must be able to connect to the socket,
  // which lives in a directory only aidev can reach from outside.
  if (socketPath !== undefined) await chmod(socketPath, 0o666);
  const address = server.address();
  return {
    refused,
    port: typeof address === 'object' && address !== null ? address.port : undefined,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

function splitTarget(target: string): { host: string; port: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(target);
  if (match === null) return { host: target, port: 0 };
  return { host: match[1] ?? '', port: Number(match[2]) };
}
