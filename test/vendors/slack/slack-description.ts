import type { Document } from 'openapi-backend';
import { slackDescription } from '../kit/descriptions.js';
import { CONNECTIONS_OPEN } from './socket-mode.js';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Schema;
}
interface Body {
  required?: boolean;
  content: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: Body | { $ref: string };
  [key: string]: unknown;
}

/** A form field's type where every operation of the description agrees on it. */
export type FieldType = 'boolean' | 'integer' | 'number';

export interface SlackServerDescription {
  readonly document: Document;
  /** Form fields whose type the description states consistently: prepare coerces these. */
  readonly fieldTypes: ReadonlyMap<string, FieldType>;
}

/** Suffix of the operation id kept for the verb the description declares when it is GET. */
export const DECLARED_GET = '_get';

/** Fields that carry JSON: a string as published, the parsed value once prepare has read it. */
const JSON_FIELDS: Readonly<Record<string, string>> = {
  blocks: 'array',
  attachments: 'array',
  view: 'object',
};

const TOKEN: Parameter = {
  name: 'token',
  in: 'header',
  required: false,
  description: 'Authentication token; the test server checks it and answers not_authed itself.',
  schema: { type: 'string' },
};

/**
 * Slack's description, reshaped the way the Web API is really called (read with
 * `../shared/specs/README.md`'s quirks):
 * 1. every method accepts POST with its arguments in a form or JSON body — the 80 methods
 *    declared GET get a POST twin with their query parameters as body fields (the declared GET
 *    stays, under `<operationId>_get`);
 * 2. `token` is an optional header everywhere (prepare copies `Authorization: Bearer` into it),
 *    so that a call without one is answered `not_authed` as Slack does, not refused as malformed;
 * 3. `blocks`, `attachments` and `view` accept the parsed JSON as well as the string;
 * 4. `apps.connections.open` (Socket Mode) is added, as Slack documents it (see socket-mode.ts);
 * 5. the six fields the description types differently from one method to the next (`ts` is a
 *    number in some, `as_user` a boolean in others, …) accept any of their declared types.
 */
export async function slackServerDescription(): Promise<SlackServerDescription> {
  const document = await slackDescription();
  // Socket Mode's one Web API method, which the published description predates.
  (document.paths as Record<string, unknown>)['/apps.connections.open'] =
    structuredClone(CONNECTIONS_OPEN);
  const bodies = (document.components?.requestBodies ?? {}) as Record<string, Body>;
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const operations = Object.values(paths).flatMap((item) => Object.values(item));
  const declared = declaredTypes(operations, bodies);

  for (const item of Object.values(paths)) {
    const get = item.get;
    if (get !== undefined && item.post === undefined) {
      item.post = structuredClone(get);
      get.operationId = `${get.operationId ?? '?'}${DECLARED_GET}`;
    }
    for (const [verb, operation] of Object.entries(item)) {
      const args = argumentsOf(operation, bodies);
      if (verb === 'get') {
        delete operation.requestBody;
        operation.parameters = [
          ...args.filter((p) => p.in === 'query'),
          TOKEN,
          { ...TOKEN, in: 'query' },
        ];
        continue;
      }
      operation.parameters = [TOKEN];
      const schema = bodySchema(args, declared);
      operation.requestBody = {
        required: true,
        content: {
          'application/x-www-form-urlencoded': { schema },
          'application/json': { schema },
        },
      };
    }
  }

  const fieldTypes = new Map<string, FieldType>();
  for (const [name, types] of declared)
    if (types.size === 1) {
      const [type] = types;
      if (type === 'boolean' || type === 'integer' || type === 'number') fieldTypes.set(name, type);
    }
  return { document, fieldTypes };
}

/** An operation's arguments other than the token, from its query parameters and form body. */
function argumentsOf(operation: Operation, bodies: Record<string, Body>): Parameter[] {
  const args = (operation.parameters ?? []).filter((p) => p.name !== 'token' && p.in !== 'header');
  let body = operation.requestBody;
  if (body !== undefined && '$ref' in body) body = bodies[body.$ref.split('/').at(-1) ?? ''];
  const schema = body?.content['application/x-www-form-urlencoded']?.schema;
  const properties = (schema?.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema?.required ?? []) as string[]);
  for (const [name, property] of Object.entries(properties))
    if (name !== 'token')
      args.push({ name, in: 'body', required: required.has(name), schema: property });
  return args;
}

function declaredTypes(
  operations: readonly Operation[],
  bodies: Record<string, Body>,
): Map<string, Set<string>> {
  const types = new Map<string, Set<string>>();
  for (const operation of operations)
    for (const arg of argumentsOf(operation, bodies)) {
      const type = arg.schema?.type;
      if (typeof type !== 'string') continue;
      const seen = types.get(arg.name) ?? new Set<string>();
      seen.add(type);
      types.set(arg.name, seen);
    }
  return types;
}

function bodySchema(args: readonly Parameter[], declared: Map<string, Set<string>>): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const arg of args) {
    let schema: Schema = { ...arg.schema };
    const types = declared.get(arg.name);
    const json = JSON_FIELDS[arg.name];
    if (json !== undefined && schema.type === 'string')
      schema = { description: schema.description, anyOf: [{ type: 'string' }, { type: json }] };
    else if (types !== undefined && types.size > 1)
      schema = { description: schema.description, type: [...new Set([...types, 'string'])] };
    properties[arg.name] = schema;
    if (arg.required === true) required.push(arg.name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}
