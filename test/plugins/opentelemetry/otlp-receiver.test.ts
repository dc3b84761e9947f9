import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../vendors/otlp/otlp-receiver.js';

/** The local OTLP/HTTP receiver refuses what the OTLP specification says is not a request. */
describe('the local OTLP receiver', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(() => receiver.close());

  const post = (path: string, contentType: string, body: string | Uint8Array) =>
    fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it('refuses bodies that do not decode, with 400 and a status saying why', async () => {
    const garbage = await post(
      '/v1/traces',
      'application/x-protobuf',
      new Uint8Array([0x0a, 0xff, 0xff, 0x01]),
    );
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toBe('application/x-protobuf');
    const notJson = await post('/v1/traces', 'application/json', '{"resourceSpans": [');
    expect(notJson.status).toBe(400);
    const base64Id = await post(
      '/v1/traces',
      'application/json',
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'W47/95gDgQPSabYzgT/GDA==',
                    spanId: '0102030405060708',
                    name: 'x',
                    startTimeUnixNano: '1',
                    endTimeUnixNano: '2',
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(base64Id.status).toBe(400);
    const why = (await base64Id.json()) as { code: number; message: string };
    expect(why.code).toBe(3);
    expect(why.message).toMatch(/traceId: expected 32 hex digits/);
    const noName = await post(
      '/v1/traces',
      'application/json',
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5b8efff798038103d269b633813fc60c',
                    spanId: '0102030405060708',
                    startTimeUnixNano: '1',
                    endTimeUnixNano: '2',
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(noName.status).toBe(400);
    expect((await post('/v1/traces', 'text/plain', 'hi')).status).toBe(415);
    expect((await post('/v1/logs', 'application/json', '{}')).status).toBe(404);
    expect(receiver.spans).toEqual([]);
  });

  it('accepts an empty request, as the specification asks', async () => {
    const empty = await post('/v1/metrics', 'application/json', '{}');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
  });
});
