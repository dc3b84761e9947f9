import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Document } from 'openapi-backend';

/** What a local vendor server and its handlers exchange (see vendor-server.ts). */

/** One request as the server saw it, for counting and assertions. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
  /** The description's operation the request matched (undefined: no such endpoint). */
  readonly operationId: string | undefined;
  status: number;
  /** Answered by a scripted fault, before validation (so not validated). */
  injected?: boolean;
}

export interface HandlerRequest {
  readonly operationId: string;
  /** The path asked for, without the query (`/api/v4/projects/1/…`). */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export interface HandlerResponse {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Handler = (request: HandlerRequest) => HandlerResponse | Promise<HandlerResponse>;

/** A body sent as it is, not as JSON: a raw file, a job's log (GitLab answers text/plain). */
export class RawBody {
  constructor(
    readonly content: string | Buffer,
    readonly type = 'text/plain; charset=utf-8',
  ) {}
}

/** An answer in the vendor's error format, thrown from a handler. */
export class VendorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/** A scripted failure for the next matching requests: a status, a delay, or a dropped socket. */
export interface Fault {
  /** How many matching requests it applies to (default 1). */
  times?: number;
  when?: (request: RecordedRequest) => boolean;
  status?: number;
  headers?: Readonly<Record<string, string>>;
  body?: unknown;
  /** Wait this long before answering (or before the status above). */
  delayMs?: number;
  /** Close the connection without answering: the client sees a network error. */
  drop?: boolean;
}

export interface VendorServerOptions {
  /** For messages: "GitHub", "Jira", … */
  readonly name: string;
  readonly definition: Document;
  /** Where the description's paths start on this server, e.g. `/wiki/api/v2`. */
  readonly apiRoot?: string;
  readonly handlers: Readonly<Record<string, Handler>>;
  /** The vendor's error body for a status and message. */
  errorBody(status: number, message: string): unknown;
  /**
   * Serves a request outside the API description (e.g. git's smart HTTP beside GitHub's REST
   * API): true when it answered, false to hand it to the API. Such requests are not recorded.
   */
  serveOther?(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /**
   * Operations whose successful answers are checked against the description's response schema
   * too (a mismatch is a violation): those whose handlers build the vendor's complete JSON.
   */
  readonly checkResponses?: readonly string[];
  /** Adjusts a request before validation (e.g. Slack's form bodies and token header). */
  prepare?(request: {
    method: string;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }): void;
}
