/**
 * Writes openai-openapi.json: OpenAI's published description (openapi.json of
 * github.com/openai/openai-openapi) cut down to the operations aidev calls, with every schema,
 * response and security scheme they reference, each kept as published.
 *
 *   npx tsx test/vendors/openai/trim-openai-description.ts path/to/openapi.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type Json = Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, readonly string[]>> = {
  '/chat/completions': ['post'],
  '/models': ['get'],
};

const source = process.argv[2];
if (source === undefined) throw new Error('give the path of the published openapi.json');
const published = JSON.parse(readFileSync(source, 'utf8')) as Json & {
  paths: Record<string, Json>;
  components: Record<string, Record<string, unknown>>;
};
const paths: Record<string, Json> = {};
for (const [route, methods] of Object.entries(OPERATIONS))
  paths[route] = Object.fromEntries(methods.map((m) => [m, published.paths[route]?.[m]]));

const kept: Record<string, Record<string, unknown>> = {};
const pending = [JSON.stringify(paths)];
while (pending.length > 0) {
  const text = pending.pop() ?? '';
  for (const [, kind = '', name = ''] of text.matchAll(/"#\/components\/(\w+)\/([^"]+)"/g)) {
    const section = (kept[kind] ??= {});
    if (name in section) continue;
    const found = published.components[kind]?.[name];
    if (found === undefined)
      throw new Error(`#/components/${kind}/${name} is not in the description`);
    section[name] = found;
    pending.push(JSON.stringify(found));
  }
}
const sorted = (section: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Object.keys(section)
      .sort()
      .map((k) => [k, section[k]]),
  );
const trimmed = {
  openapi: published.openapi,
  info: published.info,
  servers: published.servers,
  security: published.security,
  paths,
  components: {
    securitySchemes: published.components.securitySchemes,
    ...Object.fromEntries(
      Object.keys(kept)
        .sort()
        .map((kind) => [kind, sorted(kept[kind])]),
    ),
  },
};
const target = path.join(import.meta.dirname, 'openai-openapi.json');
writeFileSync(target, `${JSON.stringify(trimmed, null, 1)}\n`);
console.log(`${target}: ${Object.keys(kept.schemas ?? {}).length} schemas`);
