import type { Document } from 'openapi-backend';
import { ANTHROPIC_SCHEMAS } from './anthropic-schemas.js';

/**
 * An OpenAPI 3.0 description of the three Anthropic operations aidev calls, written from the
 * API reference and @anthropic-ai/sdk 1.14's types (Anthropic publishes none we keep locally).
 * It describes API version 2026-10-21, the one SDK 1.x sends: another version is a violation.
 */

const VERSION_HEADER = {
  name: 'anthropic-version',
  in: 'header',
  required: true,
  description: 'The API version; SDK 1.x sends 2026-10-21.',
  schema: { type: 'string', enum: ['2026-10-21'] },
};
const BETA_HEADER = {
  name: 'anthropic-beta',
  in: 'header',
  required: false,
  schema: { type: 'string' },
};
const WORKSPACE_HEADER = {
  name: 'anthropic-workspace-id',
  in: 'header',
  required: false,
  schema: { type: 'string' },
};

const json = (schema: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const errors = {
  '400': { description: 'invalid_request_error', ...json('ErrorResponse') },
  '401': { description: 'authentication_error', ...json('ErrorResponse') },
  '429': { description: 'rate_limit_error', ...json('ErrorResponse') },
  '500': { description: 'api_error', ...json('ErrorResponse') },
  '529': { description: 'overloaded_error', ...json('ErrorResponse') },
};
const object = { type: 'object' };

/** A fresh copy per server: openapi-backend annotates the document it is given. */
export function anthropicDescription(): Document {
  const document = {
    openapi: '3.0.3',
    info: { title: 'Anthropic API (the part aidev uses)', version: '2026-10-21' },
    servers: [{ url: 'https://api.anthropic.com' }],
    // Either header is accepted; with both, Anthropic uses x-api-key.
    security: [{ apiKey: [] }, { bearer: [] }],
    paths: {
      '/v1/messages': {
        post: {
          operationId: 'messages/create',
          summary: 'Create a Message',
          parameters: [VERSION_HEADER, BETA_HEADER, WORKSPACE_HEADER],
          requestBody: { required: true, ...json('MessageCreateParams') },
          responses: {
            '200': { description: 'Message', content: { 'application/json': { schema: object } } },
            ...errors,
          },
        },
      },
      '/v1/messages/count_tokens': {
        post: {
          operationId: 'messages/count-tokens',
          summary: 'Count tokens in a Message',
          parameters: [VERSION_HEADER, BETA_HEADER, WORKSPACE_HEADER],
          requestBody: { required: true, ...json('MessageCountTokensParams') },
          responses: {
            '200': {
              description: 'MessageTokensCount',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['input_tokens'],
                    properties: { input_tokens: { type: 'integer' } },
                  },
                },
              },
            },
            ...errors,
          },
        },
      },
      '/v1/models': {
        get: {
          operationId: 'models/list',
          summary: 'List Models',
          parameters: [
            VERSION_HEADER,
            BETA_HEADER,
            WORKSPACE_HEADER,
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
            { name: 'after_id', in: 'query', schema: { type: 'string' } },
            { name: 'before_id', in: 'query', schema: { type: 'string' } },
            {
              name: 'lifecycle',
              in: 'query',
              style: 'form',
              explode: true,
              schema: {
                type: 'array',
                items: { type: 'string', enum: ['active', 'deprecated', 'retired'] },
              },
            },
          ],
          responses: {
            '200': {
              description: 'A page of ModelInfo',
              content: { 'application/json': { schema: object } },
            },
            ...errors,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: structuredClone(ANTHROPIC_SCHEMAS),
    },
  };
  return document as unknown as Document;
}
