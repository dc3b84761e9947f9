import { OpenAPIValidator, type Document } from 'openapi-backend';
import { addNoOpFormats, slackEventWrapperSchema } from '../kit/descriptions.js';

export type EnvelopeCheck = (envelope: unknown) => string[];

let loaded: Promise<EnvelopeCheck> | undefined;

/**
 * Checks an Events API envelope against Slack's published schema
 * (`slack-event-wrapper.schema.json`), returning the problems (none: it fits).
 *
 * The schema predates February 2021, when Slack replaced `authed_users` with `authorizations`
 * (changelog 2020-09-15-events-api-truncate-authed-users); events no longer carry it, so it is
 * not required here. Everything else is as published.
 */
export function eventEnvelopeCheck(): Promise<EnvelopeCheck> {
  loaded ??= (async () => {
    const schema = await slackEventWrapperSchema();
    delete schema.$schema;
    schema.required = (schema.required as string[]).filter((name) => name !== 'authed_users');
    const definition = {
      openapi: '3.0.3',
      info: { title: 'Slack Events API request', version: '1' },
      paths: {
        '/slack/events': {
          post: {
            operationId: 'event_callback',
            requestBody: { required: true, content: { 'application/json': { schema } } },
            responses: { 200: { description: 'acknowledged' } },
          },
        },
      },
    } as unknown as Document;
    const validator = new OpenAPIValidator({
      definition,
      ajvOpts: { allErrors: true },
      customizeAjv: (ajv) => addNoOpFormats(ajv),
    });
    return (envelope: unknown) => {
      const result = validator.validateRequest(
        {
          method: 'post',
          path: '/slack/events',
          headers: { 'content-type': 'application/json' },
          body: envelope as object,
        },
        'event_callback',
      );
      return (result.errors ?? []).map(
        (e) => `${e.instancePath.replace(/^\/requestBody/, '') || '(envelope)'} ${e.message ?? ''}`,
      );
    };
  })();
  return loaded;
}
