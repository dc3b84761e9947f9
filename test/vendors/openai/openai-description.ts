import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Document } from 'openapi-backend';

/** OpenAI's published description, trimmed to the operations aidev calls (see README.md). */
const FILE = path.join(import.meta.dirname, 'openai-openapi.json');

let published: string | undefined;

/**
 * The description as openapi-backend can use it, a fresh copy per server (openapi-backend
 * annotates the document it is given). OpenAI's file is OpenAPI 3.1 but keeps 3.0's
 * `nullable: true`, at times beside `oneOf` without a `type` (`prediction`), which ajv refuses;
 * such a schema becomes `{ anyOf: [the schema, { type: 'null' }] }`, the same meaning.
 */
export function openaiDescription(): Document {
  published ??= readFileSync(FILE, 'utf8');
  const document = JSON.parse(published) as Document;
  nullableWithoutType(document);
  return document;
}

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
