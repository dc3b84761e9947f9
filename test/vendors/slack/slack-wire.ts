import { VendorHttpError, type VendorServerOptions } from '../kit/vendor-server.js';
import { parseJsonField } from './block-kit.js';
import type { FieldType } from './slack-description.js';

// How Slack's Web API looks on the wire: the request as the description can check it, and the
// `{ ok: false, error }` bodies it answers with.

/** Slack's error for an HTTP status the kit answers itself (or a scripted fault). */
const STATUS_ERRORS: Readonly<Record<number, string>> = {
  400: 'invalid_arguments',
  404: 'unknown_method',
  429: 'ratelimited',
  500: 'internal_error',
  501: 'not_implemented',
  502: 'internal_error',
  503: 'service_unavailable',
  504: 'request_timeout',
};

/** The body Slack answers with when it refuses a call: `{ ok: false, error, … }`. */
export function slackErrorBody(status: number, message: string): unknown {
  return {
    ok: false,
    error: STATUS_ERRORS[status] ?? 'internal_error',
    response_metadata: { messages: [`[ERROR] ${message}`] },
  };
}

/** A Slack error answer, thrown from a handler: HTTP 200 with `{ ok: false, error }`. */
export function slackError(error: string, extra: Record<string, unknown> = {}): VendorHttpError {
  return new VendorHttpError(200, { ok: false, error, ...extra });
}

/** The `invalid_blocks`-style answer, with Slack's `[ERROR] … [json-pointer:…]` lines. */
export function slackProblems(error: string, lines: readonly string[]): VendorHttpError {
  return slackError(error, {
    errors: lines.map((line) => line.replace(/^\[ERROR\] /, '')),
    response_metadata: { messages: lines },
  });
}

const JSON_FIELDS = { blocks: 'array', attachments: 'array', view: 'object' } as const;

/**
 * The kit's `prepare` hook for Slack: turns a Web API call as clients send it into what the
 * reshaped description checks (see slack-description.ts).
 * 1. The token: `Authorization: Bearer` (what @slack/web-api sends) or a `token` body field
 *    become the `token` header.
 * 2. A POST without a body is a call without arguments: an empty body.
 * 3. Form bodies carry strings: fields the description types consistently as boolean, integer
 *    or number are coerced (a value that does not convert stays a string and fails validation).
 * 4. `blocks`, `attachments` and `view` sent as JSON text are parsed when they parse; text that
 *    does not stays a string, for the handler to answer `invalid_blocks_format` as Slack does.
 */
export function slackPrepare(
  fieldTypes: ReadonlyMap<string, FieldType>,
): NonNullable<VendorServerOptions['prepare']> {
  return (request) => {
    const { headers } = request;
    const authorization = headers.authorization;
    if (typeof authorization === 'string' && /^Bearer /i.test(authorization))
      headers.token = authorization.slice('Bearer '.length).trim();
    if (request.method === 'POST' && request.body === undefined) request.body = {};
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    const fields = body as Record<string, unknown>;
    if (typeof fields.token === 'string') {
      headers.token ??= fields.token;
      delete fields.token;
    }
    const form = String(headers['content-type'] ?? '').includes('x-www-form-urlencoded');
    for (const [name, value] of Object.entries(fields)) {
      const type = fieldTypes.get(name);
      if (form && type !== undefined && typeof value === 'string')
        fields[name] = coerce(value, type);
      const json = JSON_FIELDS[name as keyof typeof JSON_FIELDS];
      if (json !== undefined && typeof value === 'string') {
        const parsed = parseJsonField(value, json);
        if (parsed !== undefined) fields[name] = parsed;
      }
    }
  };
}

function coerce(value: string, type: FieldType): unknown {
  switch (type) {
    case 'boolean':
      return value === 'true' || value === '1'
        ? true
        : value === 'false' || value === '0'
          ? false
          : value;
    case 'integer':
      return /^-?\d+$/.test(value) ? Number(value) : value;
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  }
}
