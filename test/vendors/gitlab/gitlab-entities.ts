/**
 * How the local GitLab reads the response entities of GitLab's published description
 * (openapi-v2-excerpt.yaml). GitLab generates that file from its Grape entities with
 * grape-swagger, and the generator writes down less than GitLab answers:
 *
 * - An exposure GitLab did not document (no `documentation: { type: … }` in the entity) comes
 *   out as a bare `type: string`, whatever GitLab sends: `Member.access_level` (30),
 *   `MergeRequest.draft` (false), `labels` (an array), `merged_at` (null), `Note.id` (an
 *   integer) are all "string". Such a property asserts nothing: it is read as "any value".
 *   A documented one (with an example, format, enum or description) keeps its type.
 * - Grape's `text` type is a string (JSON Schema has no `text`).
 * - Swagger 2.0 cannot say that a value may be null, and the generator writes no `x-nullable`;
 *   GitLab answers null for what is unset, documented fields included (merge_requests.md:
 *   `"avatar_url": null`, `"closed_by": null`). So every entity property may be null (as
 *   `x-nullable`, which swagger2openapi turns into OpenAPI 3's `nullable`); a value that is
 *   there must have the described type.
 * - An exposure of many entities without `is_array` comes out as one `$ref`: the few aidev's
 *   answers carry are listed in ARRAYS below, each from GitLab's REST documentation.
 *
 * Nothing else is loosened: documented types, formats and enums are checked as published.
 */

type Schema = Record<string, unknown>;

/** Entity properties GitLab answers as arrays though the generator wrote one `$ref`. */
const ARRAYS: Readonly<Record<string, readonly string[]>> = {
  // docs.gitlab.com/api/merge_requests: "assignees": [{…}], "reviewers": [{…}].
  API_Entities_MergeRequestBasic: ['assignees', 'reviewers'],
  API_Entities_MergeRequest: ['assignees', 'reviewers'],
};

/**
 * Operations whose 200 answer is a list though the published description says one entity
 * (`success` without `is_array`): GET …/merge_requests/:iid/reviewers answers
 * `[{ "user": {…}, "state": "unreviewed", … }]` (docs.gitlab.com/api/merge_requests,
 * "Get single merge request reviewers").
 */
const LIST_ANSWERS: readonly string[] = ['getApiV4ProjectsIdMergeRequestsMergeRequestIidReviewers'];

const isEntity = (name: string) => name.startsWith('API_Entities_') || name.endsWith('Entity');

const isUndocumented = (property: Schema) =>
  Object.keys(property).length === 1 && property.type === 'string';

function readProperties(schema: Schema): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const [name, property] of Object.entries(properties)) {
    if (isUndocumented(property)) {
      properties[name] = {
        description: 'not documented by GitLab (its generator writes "string"): any value',
      };
      continue;
    }
    if (property.type === 'text') property.type = 'string';
    if (property.type === 'object') readProperties(property);
    if (property.$ref === undefined) property['x-nullable'] = true;
    // A reference takes no siblings (every entity is an object): the entity, or null.
    else properties[name] = { type: 'object', 'x-nullable': true, allOf: [property] };
  }
}

/** Reads GitLab's generated entities as described above (in place, before conversion). */
export function readGitLabEntities(swagger: {
  paths: Record<
    string,
    Record<string, { operationId?: string; responses?: Record<string, Schema> }>
  >;
  definitions?: Record<string, unknown>;
}): void {
  for (const [name, definition] of Object.entries(swagger.definitions ?? {})) {
    if (!isEntity(name)) continue;
    const properties = (definition as Schema).properties as Record<string, Schema>;
    for (const many of ARRAYS[name] ?? [])
      properties[many] = { type: 'array', items: properties[many] };
    readProperties(definition as Schema);
  }
  for (const item of Object.values(swagger.paths))
    for (const op of Object.values(item)) {
      if (!LIST_ANSWERS.includes(op.operationId ?? '')) continue;
      const ok = op.responses?.['200'];
      if (ok?.schema !== undefined) ok.schema = { type: 'array', items: ok.schema };
    }
}
