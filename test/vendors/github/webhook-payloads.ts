import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { OpenAPIValidator, type Document } from 'openapi-backend';
import { addNoOpFormats } from '../kit/descriptions.js';

const require = createRequire(import.meta.url);

interface WebhookExample {
  readonly name: string;
  readonly examples: readonly Record<string, unknown>[];
}

/** Webhook payloads from GitHub's documentation, as collected by @octokit/webhooks-examples. */
const EXAMPLES =
  require('@octokit/webhooks-examples/api.github.com/index.json') as WebhookExample[];

type Description = { 'x-webhooks': Record<string, { post: { requestBody: unknown } }> };
let validator: OpenAPIValidator | undefined;

/**
 * The validator of GitHub's published webhook descriptions (the `x-webhooks` part of
 * @octokit/openapi), one operation per event and action, such as `pull-request-review-submitted`.
 */
function webhookValidator(): OpenAPIValidator {
  if (validator !== undefined) return validator;
  const description =
    require('@octokit/openapi/generated/api.github.com.deref.json') as Description;
  const paths: Record<string, unknown> = {};
  nullableWithoutType(description['x-webhooks']);
  for (const [key, hook] of Object.entries(description['x-webhooks']))
    paths[`/${key}`] = {
      post: {
        operationId: key,
        requestBody: hook.post.requestBody,
        responses: { 200: { description: 'ok' } },
      },
    };
  validator = new OpenAPIValidator({
    definition: {
      openapi: '3.0.3',
      info: { title: 'GitHub webhooks', version: '1' },
      paths,
    } as unknown as Document,
    ajvOpts: { allErrors: true, strict: false },
    customizeAjv: (ajv) => addNoOpFormats(ajv),
    lazyCompileValidators: true,
  });
  return validator;
}

/**
 * OpenAPI 3.0 lets `nullable: true` stand beside `allOf`/`anyOf` without a `type` (GitHub's
 * pull request review schemas do); ajv refuses that. The same meaning in a form ajv takes:
 * `{ anyOf: [the schema, { type: 'null' }] }`.
 */
function nullableWithoutType(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const value of Object.values(node)) nullableWithoutType(value);
  const schema = node as Record<string, unknown>;
  if (schema.nullable !== true || 'type' in schema) return;
  const rest = { ...schema };
  delete rest.nullable;
  for (const key of Object.keys(schema)) delete schema[key];
  schema.anyOf = [rest, { type: 'null' }];
}

/** The problems of `payload` as a delivery of `event` (and its `action`); none: it fits. */
export function webhookProblems(event: string, payload: Record<string, unknown>): string[] {
  const action = typeof payload.action === 'string' ? payload.action : undefined;
  const operation = `${event}${action === undefined ? '' : `-${action}`}`.replaceAll('_', '-');
  const result = webhookValidator().validateRequest(
    {
      method: 'post',
      path: `/${operation}`,
      headers: { 'content-type': 'application/json' },
      body: payload,
    },
    operation,
  );
  return (result.errors ?? []).map(
    (e) => `${e.instancePath.replace(/^\/requestBody/, '') || '(payload)'} ${e.message ?? ''}`,
  );
}

/**
 * A documented example payload of `event` (with `action`), changed by `change` and checked
 * against GitHub's description: a fixture GitHub itself could have sent.
 */
export function webhookPayload(
  event: string,
  action: string | undefined,
  change: (payload: Record<string, unknown>) => void = () => undefined,
): Record<string, unknown> {
  const candidates = EXAMPLES.find((e) => e.name === event)?.examples.filter(
    (p) => p.action === action,
  );
  for (const example of candidates ?? []) {
    const payload = structuredClone(example);
    change(payload);
    if (webhookProblems(event, payload).length === 0) return payload;
  }
  throw new Error(
    `no documented ${event}.${action ?? ''} example fits GitHub's description after the change`,
  );
}

/** X-Hub-Signature-256 as GitHub's documentation describes it: HMAC-SHA256 of the raw body. */
export function githubSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
