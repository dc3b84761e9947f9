import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AjvCustomizer, Document } from 'openapi-backend';
import { convertObj } from 'swagger2openapi';

type Ajv = ReturnType<AjvCustomizer>;
// ajv-formats is CommonJS with a default export that ESM sees as the module object.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv;

/** Formats the descriptions use that ajv does not know; they constrain nothing we rely on. */
const NO_OP_FORMATS = [
  'int32',
  'int64',
  'double',
  'float',
  'string',
  'binary',
  'byte',
  'password',
  'repo.nwo',
  // OpenAI's timestamps (`created`): seconds since 1970, already typed integer.
  'unixtime',
];

/** ajv-formats for the standard formats (date-time, uri, email, …), no-ops for the rest. */
export function addNoOpFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  for (const format of NO_OP_FORMATS) ajv.addFormat(format, true);
  return ajv;
}

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/**
 * The vendors' published descriptions live beside the repository (they are reference data,
 * not ours to copy in); VENDOR_SPECS_DIR points elsewhere.
 */
function specsDir(): string {
  const candidates = [
    process.env.VENDOR_SPECS_DIR,
    path.resolve(REPO_ROOT, '../shared/specs'),
    '/work/shared/specs',
  ].filter((c): c is string => c !== undefined && c !== '');
  const found = candidates.find((c) => existsSync(path.join(c, 'README.md')));
  if (found === undefined)
    throw new Error(
      `the vendor API descriptions are missing (looked in ${candidates.join(', ')}); set VENDOR_SPECS_DIR`,
    );
  return found;
}

const cache = new Map<string, Promise<Document>>();

function load(key: string, read: () => Promise<Document>): Promise<Document> {
  let loaded = cache.get(key);
  if (loaded === undefined) {
    loaded = read();
    cache.set(key, loaded);
  }
  // Each server gets its own copy: openapi-backend annotates the document it is given.
  return loaded.then((d) => structuredClone(d));
}

async function readJson(file: string): Promise<Document> {
  return JSON.parse(await readFile(file, 'utf8')) as Document;
}

/** GitHub's REST description from @octokit/openapi (only api.github.com: the package holds ten). */
export function githubDescription(): Promise<Document> {
  return load('github', () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@octokit/openapi/package.json'));
    return readJson(path.join(dir, 'generated/api.github.com.json'));
  });
}

export function jiraDescription(): Promise<Document> {
  return load('jira', () => readJson(path.join(specsDir(), 'jira-platform-openapi.v3.json')));
}

/** Confluence v2, with page `body`'s oneOf (two schemas that both match anything) read as anyOf. */
export function confluenceDescription(): Promise<Document> {
  return load('confluence', async () => {
    const text = await readFile(path.join(specsDir(), 'confluence-cloud-openapi.v2.json'), 'utf8');
    return JSON.parse(text.replaceAll('"oneOf"', '"anyOf"')) as Document;
  });
}

/** Slack's Web API description: Swagger 2.0 as published, converted to OpenAPI 3 once per process. */
export function slackDescription(): Promise<Document> {
  return load('slack', async () => {
    const text = await readFile(path.join(specsDir(), 'slack-web-openapi.v2.json'), 'utf8');
    const swagger = JSON.parse(text) as Parameters<typeof convertObj>[0];
    const { openapi } = await convertObj(swagger, { patch: true, warnOnly: true });
    return openapi;
  });
}

/** The JSON Schema (draft-07) of the Events API envelope Slack posts to an app. */
export async function slackEventWrapperSchema(): Promise<Record<string, unknown>> {
  const text = await readFile(path.join(specsDir(), 'slack-event-wrapper.schema.json'), 'utf8');
  return JSON.parse(text) as Record<string, unknown>;
}
