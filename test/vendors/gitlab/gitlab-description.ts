import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Document } from 'openapi-backend';
import { convertObj } from 'swagger2openapi';
import { parse } from 'yaml';
import { readGitLabEntities } from './gitlab-entities.js';

/**
 * The description the local GitLab validates requests and its answers against: the published excerpt
 * (openapi-v2-excerpt.yaml, GitLab's own openapi_v2.yaml) and, for what it leaves out, the
 * operations written from GitLab's REST documentation (documented-operations.yaml) — each
 * request is counted under the one that described it.
 */
export interface GitLabDescription {
  readonly document: Document;
  /** operationIds from GitLab's published description. */
  readonly published: ReadonlySet<string>;
  /** operationIds aidev describes from GitLab's REST documentation. */
  readonly documented: ReadonlySet<string>;
}

interface SwaggerOperation {
  operationId?: string;
  responses?: Record<string, Record<string, unknown>>;
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions?: Record<string, unknown>;
  [key: string]: unknown;
}

const read = async (file: string) =>
  parse(await readFile(path.join(import.meta.dirname, file), 'utf8')) as Swagger;

const operationsOf = (swagger: Swagger) =>
  new Set(
    Object.values(swagger.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => (op.operationId === undefined ? [] : [op.operationId])),
    ),
  );

let loaded: Promise<GitLabDescription> | undefined;

export function gitlabDescription(): Promise<GitLabDescription> {
  loaded ??= (async () => {
    const published = await read('openapi-v2-excerpt.yaml');
    const documented = await read('documented-operations.yaml');
    const merged: Swagger = {
      ...published,
      paths: { ...published.paths },
      definitions: { ...published.definitions, ...documented.definitions },
    };
    for (const [route, item] of Object.entries(documented.paths))
      merged.paths[route] = { ...merged.paths[route], ...item };
    // The server checks its answers too: GitLab's entities, read as its generator meant them.
    readGitLabEntities(merged);
    const { openapi } = await convertObj(merged as unknown as Parameters<typeof convertObj>[0], {
      patch: true,
      warnOnly: true,
    });
    return {
      document: openapi as Document,
      published: operationsOf(published),
      documented: operationsOf(documented),
    };
  })();
  return loaded.then((d) => ({ ...d, document: structuredClone(d.document) }));
}
