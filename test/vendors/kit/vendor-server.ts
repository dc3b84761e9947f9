import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenAPIBackend, type Context } from 'openapi-backend';
import { addNoOpFormats } from './descriptions.js';
import {
  RawBody,
  VendorHttpError,
  type Fault,
  type RecordedRequest,
  type VendorServerOptions,
} from './vendor-types.js';

export {
  RawBody,
  VendorHttpError,
  type Fault,
  type Handler,
  type HandlerRequest,
  type HandlerResponse,
  type RecordedRequest,
  type VendorServerOptions,
} from './vendor-types.js';

/**
 * A local stand-in for a vendor's HTTP API: the vendor's paths, payloads and error bodies,
 * every request validated against the vendor's published OpenAPI description (a request the
 * real service would refuse is answered 400 and recorded as a violation), failures scriptable
 * per test, and every request counted.
 */
export class VendorServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  /** Answers checked against the description's response schema (see checkResponses). */
  checkedAnswers = 0;
  private faults: (Fault & { left: number })[] = [];
  private server: Server | undefined;
  private api: OpenAPIBackend | undefined;
  url = '';

  constructor(private readonly options: VendorServerOptions) {}

  /** Listens on `port` (default: any free one), e.g. one a test kept while the vendor was "down". */
  async start(port = 0): Promise<this> {
    const api = new OpenAPIBackend({
      definition: this.options.definition,
      quick: true,
      validate: true,
      coerceTypes: true,
      apiRoot: this.options.apiRoot ?? '/',
      customizeAjv: (ajv) => addNoOpFormats(ajv),
    });
    // Each vendor server checks credentials itself, with the vendor's own 401 body.
    const schemes = (this.options.definition.components?.securitySchemes ?? {}) as object;
    for (const scheme of Object.keys(schemes)) api.registerSecurityHandler(scheme, () => true);
    api.register({
      notFound: (c: Context) => this.reply(c, 404, this.options.errorBody(404, 'Not Found')),
      notImplemented: (c: Context) => {
        const message = `${this.options.name} test server: ${c.operation.operationId ?? ''} is not implemented`;
        this.violations.push(message);
        return this.reply(c, 501, this.options.errorBody(501, message));
      },
      validationFail: (c: Context) => {
        const detail = (c.validation.errors ?? [])
          .map(
            (e) =>
              `${e.instancePath || '(request)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
          )
          .join('; ');
        const message = `${c.request.method.toUpperCase()} ${c.request.path} (${c.operation.operationId ?? '?'}) violates the ${this.options.name} API description: ${detail}`;
        this.violations.push(message);
        return this.reply(c, 400, this.options.errorBody(400, message));
      },
    });
    for (const [operationId, handler] of Object.entries(this.options.handlers)) {
      api.register(operationId, async (c: Context) => {
        // openapi-backend types the parsed body as any; handlers narrow it themselves.
        const body: unknown = c.request.requestBody;
        try {
          const result = await handler({
            operationId,
            path: c.request.path,
            params: c.request.params as Record<string, string>,
            query: c.request.query as Record<string, string | string[]>,
            headers: c.request.headers as Record<string, string | string[] | undefined>,
            body,
          });
          const status = result.status ?? 200;
          // An answer without a body (204), or not JSON (a raw file, a log), has nothing to check.
          if (
            this.options.checkResponses?.includes(operationId) === true &&
            status < 300 &&
            result.body !== undefined &&
            !(result.body instanceof RawBody)
          )
            this.checkResponse(operationId, status, result.body);
          return this.reply(c, status, result.body, result.headers);
        } catch (error) {
          if (error instanceof VendorHttpError)
            return this.reply(c, error.status, error.body, error.headers);
          throw error;
        }
      });
    }
    await api.init();
    this.api = api;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.violations.push(`${this.options.name} test server crashed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.options.errorBody(500, String(error))));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Scripts failures for the next matching requests. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault, left: fault.times ?? 1 });
  }

  /** Requests matching an operation (or all), for counting. */
  count(operationId?: string): number {
    return this.requests.filter((r) => operationId === undefined || r.operationId === operationId)
      .length;
  }

  /** Forgets requests, violations and faults (the vendor's data is reset by its own server). */
  resetTraffic(): void {
    this.requests.length = 0;
    this.violations.length = 0;
    this.checkedAnswers = 0;
    this.faults = [];
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if ((await this.options.serveOther?.(req, res)) === true) return;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers: Record<string, string | string[] | undefined> = { ...req.headers };
    const prepared = {
      method: req.method ?? 'GET',
      headers,
      body: parseBody(raw, req.headers['content-type']),
    };
    this.options.prepare?.(prepared);
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(url.searchParams.keys())) {
      const values = url.searchParams.getAll(key);
      query[key] = values.length === 1 ? (values[0] ?? '') : values;
    }
    const recorded: RecordedRequest = {
      method: prepared.method,
      path: url.pathname,
      query,
      headers,
      body: prepared.body,
      operationId: this.api?.matchOperation({
        method: prepared.method,
        path: url.pathname,
        headers: definedHeaders(headers),
      })?.operationId,
      status: 0,
    };
    this.requests.push(recorded);

    const fault = this.faults.find((f) => f.left > 0 && (f.when?.(recorded) ?? true));
    if (fault !== undefined) {
      fault.left -= 1;
      recorded.injected = true;
      if (fault.delayMs !== undefined) await sleep(fault.delayMs);
      if (fault.drop === true) {
        recorded.status = -1;
        req.socket.destroy();
        return;
      }
      if (fault.status !== undefined) {
        recorded.status = fault.status;
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(
          JSON.stringify(fault.body ?? this.options.errorBody(fault.status, 'scripted failure')),
        );
        return;
      }
    }

    const answer = (await this.api?.handleRequest({
      method: prepared.method,
      path: url.pathname,
      query,
      headers: definedHeaders(headers),
      body: prepared.body,
    })) as Answer;
    recorded.status = answer.status;
    if (answer.body instanceof RawBody) {
      res.writeHead(answer.status, { 'content-type': answer.body.type, ...answer.headers });
      res.end(answer.body.content);
      return;
    }
    res.writeHead(answer.status, {
      ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...answer.headers,
    });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private checkResponse(operationId: string, status: number, body: unknown): void {
    this.checkedAnswers += 1;
    const { valid, errors } = this.api?.validateResponse(body, operationId, status) ?? {
      valid: true,
      errors: null,
    };
    if (valid) return;
    const detail = (errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''}`)
      .join('; ');
    this.violations.push(
      `${this.options.name} test server: the answer of ${operationId} violates the ${this.options.name} API description: ${detail}`,
    );
  }

  private reply(
    _context: Context,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): Answer {
    return { status, body, headers };
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers: Readonly<Record<string, string>>;
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === '') return undefined;
  if (contentType?.includes('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(raw));
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function definedHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter((e): e is [string, string | string[]] => e[1] !== undefined),
  );
}
