import { VendorHttpError } from '../kit/vendor-server.js';

/** Confluence v2's error codes by status, as its error bodies carry them. */
const ERROR_CODES: Readonly<Record<number, [string, string]>> = {
  400: ['INVALID_REQUEST_PARAMETER', 'Bad Request'],
  401: ['UNAUTHORIZED', 'Unauthorized'],
  403: ['FORBIDDEN', 'Forbidden'],
  404: ['NOT_FOUND', 'Not Found'],
  409: ['CONFLICT', 'Conflict'],
  429: ['TOO_MANY_REQUESTS', 'Too Many Requests'],
  500: ['INTERNAL_SERVER_ERROR', 'Internal Server Error'],
  501: ['NOT_IMPLEMENTED', 'Not Implemented'],
  503: ['SERVICE_UNAVAILABLE', 'Service Unavailable'],
};

/** Confluence v2's error body: `{errors: [{status, code, title, detail}]}`. */
export function confluenceErrorBody(status: number, detail: string | null) {
  const [code, title] = ERROR_CODES[status] ?? ['ERROR', `HTTP ${status}`];
  return { errors: [{ status, code, title, detail }] };
}

/** Thrown by a handler: the local Confluence answers with this status and Confluence's body. */
export function confluenceError(status: number, detail: string | null): VendorHttpError {
  return new VendorHttpError(status, confluenceErrorBody(status, detail));
}
