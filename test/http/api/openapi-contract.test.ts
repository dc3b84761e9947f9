import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../../support/backends.js';
import { REPO_ROOT } from '../../support/child-process.js';
import { APPROVAL_WORKFLOW, startApi, type ApiHarness } from '../support/api-harness.js';

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) needs ajv 8's 2020 build: ajv-formats brings it. */
const fromFormats = createRequire(createRequire(import.meta.url).resolve('ajv-formats'));
interface Validator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}
const Ajv2020 = fromFormats('ajv/dist/2020') as {
  default: new (options: object) => { compile(schema: object): Validator };
};
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: unknown) => void;

type Json = Record<string, unknown>;
interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, Json> }>>;
  components: { schemas: Json; responses: Record<string, { content: Record<string, Json> }> };
}

let api: ApiHarness;
let document: OpenApi;
const ajv = new Ajv2020.default({ strict: false, allErrors: true });
addFormats(ajv);

/** Calls the API and checks the answer against what openapi.json says that operation answers. */
async function conforms(method: string, template: string, url: string, body?: unknown) {
  const response = await api.call(method, url, body === undefined ? {} : { body });
  described(method, template, `${method} ${url}`, response.status, response.body);
  return response;
}

/** A raw request, for the answers api.call cannot provoke (bad bodies, huge headers). */
async function conformsRaw(method: string, template: string, url: string, init: RequestInit) {
  const response = await fetch(`${api.base}/api/v1${url}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${api.tokens.admin}`, ...init.headers },
  });
  expect(response.headers.get('content-type'), `${method} ${url}`).toContain(
    'application/problem+json',
  );
  described(method, template, `${method} ${url}`, response.status, await response.json());
  return response.status;
}

/** The answer is listed for the operation, and its body fits the listed schema. */
function described(method: string, template: string, label: string, status: number, body: unknown) {
  const operation = document.paths[template]?.[method.toLowerCase()];
  let answer = operation?.responses[String(status)];
  const ref = answer?.$ref;
  if (typeof ref === 'string') answer = document.components.responses[ref.split('/').pop() ?? ''];
  const content = answer?.content as Record<string, { schema: Json }> | undefined;
  const schema = (content?.['application/json'] ?? content?.['application/problem+json'])?.schema;
  expect(schema, `${label} → ${status} is described`).toBeDefined();
  const validate = ajv.compile({ ...schema, components: document.components });
  expect(validate(body) ? [] : validate.errors, `${label} → ${status}`).toEqual([]);
}

/** Every problem status written in the server's code (problem(404, …), [503, '…'], code(202)). */
async function statusesInSource(): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const root = path.join(REPO_ROOT, 'src/http');
  for (const file of await readdir(root, { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    const text = await readFile(path.join(root, file), 'utf8');
    for (const match of text.matchAll(/(?:problem\(\s*|\[|\.code\(|\.status\()([45]\d\d)\b/g))
      found.set(Number(match[1]), file);
  }
  return found;
}

describeEachBackend('the OpenAPI document', (database) => {
  beforeAll(async () => {
    api = await startApi({ database: database() });
    api.workflow('gated', APPROVAL_WORKFLOW);
    document = (await api.call<OpenApi>('GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await api.stop();
  });

  it('names one operation for every route, each answerable', () => {
    const operations = Object.values(document.paths).flatMap((p) => Object.values(p));
    expect(document.openapi).toBe('3.1.0');
    expect(operations.length).toBeGreaterThan(20);
    expect(new Set(operations.map((o) => o.operationId)).size).toBe(operations.length);
  });

  it('describes the answers the API really gives, problems included', async () => {
    const started = await conforms('POST', '/runs', '/runs', {
      workflow: 'gated',
      inputs: { task_key: 'DOC-1' },
    });
    const id = (started.body as { id: string }).id;
    await api.waitFor(id, ['waiting']);
    await conforms('GET', '/runs', '/runs?limit=1');
    await conforms('GET', '/runs/{id}', `/runs/${id}`);
    await conforms('POST', '/runs/{id}/approval', `/runs/${id}/approval`, { decision: 'approve' });
    await conforms('POST', '/runs/{id}/approval', `/runs/${id}/approval`, { decision: 'approve' });
    await conforms('POST', '/runs', '/runs', { workflow: 'gated', inputs: { task_key: 1 } });
    await conforms('GET', '/workflows', '/workflows');
    await conforms('POST', '/workflows/validate', '/workflows/validate', { yaml: 'name: x' });
    await conforms('POST', '/projects', '/projects', { key: 'doc', name: 'Doc' });
    await conforms('GET', '/projects', '/projects');
    await conforms('PUT', '/channels/{id}/settings', '/channels/C-DOC/settings', {
      settings: { approvers: ['U0DOC'] },
    });
    await conforms('GET', '/channels/{id}/settings', '/channels/C-DOC/settings');
    await conforms('GET', '/plugins', '/plugins');
    await conforms(
      'GET',
      '/plugins/{type}/{name}/config',
      '/plugins/documentation/local_docs/config',
    );
    await conforms('GET', '/costs', '/costs?group_by=channel');
    await conforms('POST', '/tokens', '/tokens', { name: 'doc', role: 'viewer' });
    await conforms('GET', '/tokens', '/tokens');
  });

  it('lists every problem status the server’s code can answer', async () => {
    const statuses = await statusesInSource();
    expect(statuses.size).toBeGreaterThan(8);
    for (const [status, file] of statuses)
      expect(document.components.responses, `${status}, answered in ${file}`).toHaveProperty(
        `Problem${status}`,
      );
  });

  it('describes the refusals of malformed requests, each as problem+json', async () => {
    const json = { 'content-type': 'application/json' };
    expect(
      await conformsRaw('POST', '/runs', '/runs', { headers: json, body: '{"workflow":' }),
    ).toBe(400);
    expect(
      await conformsRaw('POST', '/workflows/validate', '/workflows/validate', {
        headers: json,
        body: JSON.stringify({ yaml: 'x'.repeat(1_100_000) }),
      }),
    ).toBe(413);
    expect(
      await conformsRaw('POST', '/runs', '/runs', {
        headers: { 'content-type': 'application/xml' },
        body: '<run/>',
      }),
    ).toBe(415);
    expect(await conformsRaw('GET', '/runs/{id}', `/runs/${'r'.repeat(101)}`, {})).toBe(414);
    expect(
      await conformsRaw('GET', '/runs', '/runs', { headers: { 'x-fill': 'f'.repeat(20_000) } }),
    ).toBe(431);
    expect(await conformsRaw('GET', '/events', '/events', {})).toBe(426);
    expect(
      await conformsRaw('GET', '/runs', '/runs', { headers: { authorization: 'Bearer nope' } }),
    ).toBe(401);
  });
});
