import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResponseUrlCatcher } from '../vendors/slack/response-url-catcher.js';

let catcher: ResponseUrlCatcher;

beforeAll(async () => {
  catcher = await ResponseUrlCatcher.start();
});
beforeEach(() => catcher.reset());
afterAll(() => catcher.close());

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('the response_url catcher', () => {
  it('records what an app posts to the response URLs it handed out', async () => {
    const url = catcher.newUrl('commands', 'T0AIDEV0001');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/commands\/T0AIDEV0001\/\d+\/[0-9a-f]{24}$/);
    const response = await post(url, { text: 'Working on it', response_type: 'ephemeral' });
    expect(response.status).toBe(200);
    await expect(catcher.waitFor(1)).resolves.toEqual([
      expect.objectContaining({ url, body: { text: 'Working on it', response_type: 'ephemeral' } }),
    ]);
    expect(catcher.violations).toEqual([]);
  });

  it('refuses what Slack refuses: a sixth use, no text, broken blocks, unknown URLs', async () => {
    const url = catcher.newUrl('actions', 'T0AIDEV0001');
    for (let i = 0; i < 5; i++) expect((await post(url, { text: `#${i}` })).status).toBe(200);
    expect((await post(url, { text: 'one too many' })).status).toBe(404);
    const other = catcher.newUrl('actions', 'T0AIDEV0001');
    expect((await post(other, { response_type: 'in_channel' })).status).toBe(400);
    expect((await post(other, { blocks: [{ type: 'header' }] })).status).toBe(400);
    expect((await post(other, 'not json')).status).toBe(400);
    expect((await post(`${catcher.baseUrl}/commands/T1/2/3`, { text: 'x' })).status).toBe(404);
    expect(catcher.violations.map((v) => v.split(': ')[1])).toEqual([
      'used_url',
      'no_text',
      'invalid_blocks',
      'invalid_payload',
      'no_service',
    ]);
  });
});
