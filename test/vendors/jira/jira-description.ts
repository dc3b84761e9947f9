import type { Document } from 'openapi-backend';
import { jiraDescription } from '../kit/descriptions.js';

/** The v3 paths aidev uses; each is also served under /rest/api/2 (Server / Data Center, and jira.js's wiki-text writes). */
const USED_PATHS = [
  '/rest/api/3/myself',
  '/rest/api/3/issue',
  '/rest/api/3/issue/{issueIdOrKey}',
  '/rest/api/3/issue/{issueIdOrKey}/transitions',
  '/rest/api/3/issue/{issueIdOrKey}/comment',
  '/rest/api/3/issue/{issueIdOrKey}/comment/{id}',
  '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}',
  '/rest/api/3/search',
];

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type PathItem = Record<string, unknown>;
type Operation = { operationId?: string; parameters?: unknown[]; requestBody?: unknown };

const int32 = { type: 'integer', format: 'int32' };
const strings = { type: 'array', items: { type: 'string' } };

/**
 * Parameters of GET /rest/api/3/search/jql as Atlassian documents them ("Search for issues
 * using JQL enhanced search"); the mirrored description predates the endpoint.
 */
const SEARCH_JQL_PARAMETERS = [
  { name: 'jql', in: 'query', schema: { type: 'string' } },
  { name: 'nextPageToken', in: 'query', schema: { type: 'string' } },
  { name: 'maxResults', in: 'query', schema: { ...int32, default: 50 } },
  { name: 'fields', in: 'query', schema: strings },
  { name: 'expand', in: 'query', schema: { type: 'string' } },
  { name: 'properties', in: 'query', schema: strings },
  { name: 'fieldsByKeys', in: 'query', schema: { type: 'boolean', default: false } },
  { name: 'failFast', in: 'query', schema: { type: 'boolean', default: false } },
  {
    name: 'reconcileIssues',
    in: 'query',
    schema: { type: 'array', items: { type: 'integer', format: 'int64' } },
  },
];

const SEARCH_JQL_BODY = {
  required: true,
  content: {
    'application/json': {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          jql: { type: 'string' },
          nextPageToken: { type: 'string' },
          maxResults: int32,
          fields: strings,
          expand: { type: 'string' },
          properties: strings,
          fieldsByKeys: { type: 'boolean' },
          failFast: { type: 'boolean' },
          reconcileIssues: { type: 'array', items: { type: 'integer', format: 'int64' } },
        },
      },
    },
  },
};

function operations(item: PathItem): Operation[] {
  return METHODS.map((m) => item[m] as Operation | undefined).filter(
    (op): op is Operation => op !== undefined,
  );
}

/**
 * Jira's published description (an older snapshot), completed with what the real service
 * serves and aidev's traffic reaches: `/rest/api/3/search/jql` (Cloud's current search), and
 * every used path under `/rest/api/2` with operationIds suffixed `V2`. Validation stays as
 * strict as the description is.
 */
export async function jiraServerDescription(): Promise<Document> {
  const document = await jiraDescription();
  const paths = document.paths as Record<string, PathItem>;

  const search = paths['/rest/api/3/search'];
  if (search === undefined) throw new Error('the Jira description lacks /rest/api/3/search');
  const searchJql = structuredClone(search);
  const get = searchJql.get as Operation;
  get.operationId = 'searchAndReconsileIssuesUsingJql';
  get.parameters = SEARCH_JQL_PARAMETERS;
  const post = searchJql.post as Operation;
  post.operationId = 'searchAndReconsileIssuesUsingJqlPost';
  post.requestBody = SEARCH_JQL_BODY;
  paths['/rest/api/3/search/jql'] = searchJql;

  for (const path of USED_PATHS) {
    const item = paths[path];
    if (item === undefined) throw new Error(`the Jira description lacks ${path}`);
    const v2 = structuredClone(item);
    for (const op of operations(v2)) op.operationId = `${op.operationId ?? '?'}V2`;
    paths[path.replace('/rest/api/3/', '/rest/api/2/')] = v2;
  }
  return document;
}
