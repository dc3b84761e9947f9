import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachBackend } from '../../support/backends.js';
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
  const operation = document.paths[template]?.[method.toLowerCase()];
  let described = operation?.responses[String(response.status)];
  const ref = described?.$ref;
  if (typeof ref === 'string')
    described = document.components.responses[ref.split('/').pop() ?? ''];
  const content = described?.content as Record<string, { schema: Json }> | undefined;
  const schema = (content?.['application/json'] ?? content?.['application/problem+json'])?.schema;
  const label = `${method} ${url} → ${response.status}`;
  expect(schema, `${label} is described`).toBeDefined();
  const validate = ajv.compile({ ...schema, components: document.components });
  expect(validate(response.body) ? [] : validate.errors, label).toEqual([]);
  return response;
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
});
