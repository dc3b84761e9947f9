import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import {
  decodeJson,
  decodeProtobuf,
  SIGNALS,
  STATUS,
  type Decoded,
  type Signal,
} from './otlp-decode.js';
import { metricsOf, spansOf, type ReceivedMetric, type ReceivedSpan } from './otlp-model.js';

/** One export request as the receiver saw it. */
export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly status: number;
  /** Why it was refused (status 4xx). */
  readonly error?: string;
}

const CONTENT_TYPES = { protobuf: 'application/x-protobuf', json: 'application/json' } as const;
const PATHS: Readonly<Record<string, Signal>> = {
  '/v1/traces': 'traces',
  '/v1/metrics': 'metrics',
};
/** The OTLP specification's recommended limit on a request body. */
const MAX_BODY = 64 * 1024 * 1024;

/**
 * A local OTLP/HTTP receiver (what an OpenTelemetry Collector's `otlp` receiver does over HTTP,
 * per the OTLP specification): POST /v1/traces and /v1/metrics, binary protobuf or JSON,
 * optionally gzip'd; it decodes every body with the official definitions and keeps what it
 * got for assertions. A body that does not decode is refused with 400 and a google.rpc.Status.
 */
export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      void receiver.handle(request, response);
    });
    return receiver;
  }

  /** Waits until `condition` holds on what was received (checked after every request). */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`the OTLP receiver got no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  reset(): void {
    this.requests.length = 0;
    this.spans.length = 0;
    this.metrics.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const contentType = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    const record = (status: number, error?: string) =>
      this.requests.push({
        path,
        contentType,
        headers: request.headers,
        status,
        ...(error === undefined ? {} : { error }),
      });
    const json = contentType === CONTENT_TYPES.json;
    const refuse = (status: number, message: string) => {
      record(status, message);
      const body = json
        ? JSON.stringify({ code: 3, message })
        : Buffer.from(STATUS.encode(STATUS.create({ code: 3, message })).finish());
      response.writeHead(status, {
        'content-type': json ? CONTENT_TYPES.json : CONTENT_TYPES.protobuf,
      });
      response.end(body);
    };
    const signal = PATHS[path];
    if (signal === undefined) return refuse(404, `no OTLP endpoint at ${path}`);
    if (request.method !== 'POST') return refuse(405, `${path} takes POST only`);
    if (contentType !== CONTENT_TYPES.json && contentType !== CONTENT_TYPES.protobuf)
      return refuse(
        415,
        `expected application/x-protobuf or application/json, found ${contentType ?? 'none'}`,
      );
    let decoded: Decoded;
    try {
      const raw = await readBody(request);
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      if (body.length > MAX_BODY) return refuse(413, 'the body is over 64 MiB');
      decoded = json ? decodeJson(signal, body) : decodeProtobuf(signal, body);
      if (signal === 'traces') this.spans.push(...spansOf(decoded));
      else this.metrics.push(...metricsOf(decoded));
    } catch (error) {
      return refuse(400, `malformed ${signal} request: ${(error as Error).message}`);
    }
    record(200);
    const answer = SIGNALS[signal].response;
    response.writeHead(200, { 'content-type': contentType });
    response.end(json ? '{}' : Buffer.from(answer.encode(answer.create({})).finish()));
    for (const wake of [...this.waiters]) wake();
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('the body is over 64 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
