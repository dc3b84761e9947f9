import { z } from 'zod';
import { AIDEV_VERSION } from '../../version.js';
import type { ApiRoute } from './route.js';
import { problemSchema } from './schemas.js';

type JsonSchema = Record<string, unknown>;

/**
 * The OpenAPI 3.1 description of the API, generated from the same zod schemas that validate
 * the requests (JSON Schema 2020-12 is OpenAPI 3.1's own dialect), so the two cannot drift.
 */
export function openApiDocument(routes: readonly ApiRoute[]): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const schema = (zod: z.ZodType, io: 'input' | 'output') => toSchema(zod, io, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation(route, schema) };
  }
  paths['/events'] = { get: eventsOperation() };
  schema(problemSchema, 'output');
  return {
    openapi: '3.1.0',
    info: {
      title: 'aidev API',
      version: AIDEV_VERSION,
      description:
        'Runs, workflows, tasks, projects, plugins, channels and costs of an aidev installation. Every request needs an API token (`aidev token create`) as `Authorization: Bearer`; viewers read, operators start, cancel and decide runs, admins change configuration. Errors are application/problem+json (RFC 9457).',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'an API token' } },
      responses: Object.fromEntries(
        Object.entries(PROBLEMS).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: {
              'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
            },
          },
        ]),
      ),
    },
  };
}

/** Every problem status the API answers, each an application/problem+json. */
export const PROBLEMS: Readonly<Record<number, string>> = {
  400: 'the request is not well-formed: a body that does not parse, a URL that does not decode',
  401: 'no API token, or one that is unknown, revoked or expired',
  403: 'the token’s role may not do this',
  404: 'no such thing',
  408: 'the request did not arrive in time',
  409: 'the state does not allow it (already decided, finished, changed meanwhile)',
  413: 'the body is larger than 1 MB',
  414: 'a part of the URL’s path is longer than 100 characters',
  415: 'the body’s Content-Type is not one the operation takes',
  422: 'the request does not validate: `errors` lists each field, what was expected and found',
  426: 'the request asks for a WebSocket but is not an upgrade',
  429: 'too many requests with this token: see Retry-After',
  431: 'the request line and headers are larger than 16 KB',
  500: 'a fault of the server, recorded in its log (never a stack trace)',
  502: 'a service aidev asked for the answer (the tracker) failed',
  503: 'the database is unreachable or busy: retry later',
};

/** Problems any operation may answer, whatever it does: parsing, authentication, faults. */
const EVERY_OPERATION = [400, 401, 403, 408, 429, 431, 500, 503];

/** The problem statuses an operation may answer, for its `responses`. */
export function problemStatuses(route: ApiRoute): number[] {
  const statuses = [...EVERY_OPERATION, 422, ...route.problems];
  if (route.params !== undefined) statuses.push(404, 414);
  // Fastify reads a body for these methods, whether or not the operation takes one.
  if (route.method !== 'GET') statuses.push(409, 413, 415);
  return [...new Set(statuses)].sort((a, b) => a - b);
}

function operation(
  route: ApiRoute,
  schema: (zod: z.ZodType, io: 'input' | 'output') => JsonSchema,
): Record<string, unknown> {
  const parameters = [
    ...parametersOf(route.params, 'path', schema),
    ...parametersOf(route.query, 'query', schema),
    ...parametersOf(route.headers, 'header', schema),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses))
    responses[status] =
      spec.schema === undefined
        ? { description: spec.description }
        : {
            description: spec.description,
            content: { 'application/json': { schema: schema(spec.schema, 'output') } },
          };
  for (const status of problemStatuses(route)) responses[String(status)] ??= problemRef(status);
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    'x-aidev-role': route.role,
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined ? {} : { requestBody: requestBody(route, schema) }),
    responses,
  };
}

function requestBody(
  route: ApiRoute,
  schema: (zod: z.ZodType, io: 'input' | 'output') => JsonSchema,
): Record<string, unknown> {
  const content: Record<string, unknown> = {
    'application/json': { schema: schema(route.body as z.ZodType, 'input') },
  };
  for (const type of route.textBody) content[type] = { schema: { type: 'string' } };
  return { required: true, content };
}

function parametersOf(
  zod: z.ZodType | undefined,
  location: 'path' | 'query' | 'header',
  schema: (zod: z.ZodType, io: 'input' | 'output') => JsonSchema,
): Record<string, unknown>[] {
  if (!(zod instanceof z.ZodObject)) return [];
  return Object.entries(zod.shape as Record<string, z.ZodType>).map(([name, field]) => {
    const { description, ...fieldSchema } = schema(field, 'input');
    return {
      name,
      in: location,
      required: location === 'path' || !field.safeParse(undefined).success,
      schema: fieldSchema,
      ...(typeof description === 'string' ? { description } : {}),
    };
  });
}

/** A zod schema as JSON Schema, its named parts moved to the document's components. */
function toSchema(
  zod: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, JsonSchema>,
): JsonSchema {
  const converted = z.toJSONSchema(zod, { io, unrepresentable: 'any' }) as JsonSchema;
  const text = JSON.stringify(converted).replaceAll('"#/$defs/', '"#/components/schemas/');
  const { $schema: _dialect, $defs, ...rest } = JSON.parse(text) as JsonSchema;
  for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
    components[name] = definition;
  return rest;
}

function problemRef(status: number): { $ref: string } {
  return { $ref: `#/components/responses/Problem${status}` };
}

function operationId(route: ApiRoute): string {
  const words = route.url
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[-_]/));
  return [route.method.toLowerCase(), ...words.map((w) => w[0]?.toUpperCase() + w.slice(1))].join(
    '',
  );
}

function eventsOperation(): Record<string, unknown> {
  return {
    operationId: 'getEvents',
    tags: ['events'],
    summary: 'The engine’s events, live, over a WebSocket',
    description:
      'Upgrade to a WebSocket (token as Authorization: Bearer, or `?token=` from a browser). Send `{"type":"subscribe"}` for every run or `{"type":"subscribe","run_id":"…"}` for one; each event arrives as `{"version":1,"type":"step.succeeded","run_id":…,"step":…,"message":…,"data":…,"at":…}`. The server pings and sends `{"type":"heartbeat"}`; a client that falls behind is disconnected. When the token is revoked or expires, the stream closes with code 1008 and the reason.',
    'x-aidev-role': 'viewer',
    parameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' } }],
    responses: {
      101: { description: 'switching to the WebSocket protocol' },
      ...Object.fromEntries(
        [...EVERY_OPERATION, 426].sort((a, b) => a - b).map((s) => [s, problemRef(s)]),
      ),
    },
  };
}
