import { afterAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createHttpServer } from '../../src/http/create-server.js';
import { createSlackApp, type SlackApp } from '../../src/slack/slack-app.js';
import { createPgliteDataDir } from '../support/backends.js';
import { capturingLogger } from '../support/logger.js';
import { freePort } from '../support/serve-process.js';
import { signedHeaders } from '../vendors/slack/signed-requests.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../vendors-slack/slack-test-setup.js';

/** An Events API event aidev has no listener for: Bolt acknowledges it once it can run. */
function reactionEvent(): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T0AIDEV0001',
    api_app_id: 'A0AIDEV0APP',
    event_id: `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'reaction_added',
      user: 'U0AIDEV0001',
      reaction: 'eyes',
      item: { type: 'message', channel: 'C0AIDEV0001', ts: '1700000000.000100' },
      event_ts: '1700000001.000200',
    },
  });
}

describe('the Slack app while Slack cannot be reached', () => {
  let slack: SlackServer | undefined;
  let app: App | undefined;
  let slackApp: SlackApp | undefined;
  afterAll(async () => {
    await slackApp?.stop();
    await app?.stop();
    await slack?.close();
  });

  it('starts anyway, answers 503 and is named on /ready until Slack answers, then serves', async () => {
    const port = await freePort();
    const config = loadConfig({
      env: {
        AIDEV_DATA_DIR: await createPgliteDataDir(),
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: `http://127.0.0.1:${port}/api/`,
      },
      cwd: process.cwd(),
    });
    const { logger, lines } = capturingLogger({ level: 'info', secrets: config.secrets });
    app = await createApp({ config, logger });
    slackApp = createSlackApp({ app, owner: 'test-server' });
    if (slackApp === undefined) throw new Error('Slack is configured in this test');
    const server = await createHttpServer({
      app,
      routes: [slackApp.routes],
      frontEnds: [slackApp.readiness],
    });
    await slackApp.start(); // resolves although Slack cannot be reached
    const event = () => {
      const body = reactionEvent();
      return server.inject({
        method: 'POST',
        url: '/slack/events',
        headers: signedHeaders(body, 'application/json', SIGNING_SECRET),
        payload: body,
      });
    };

    const refused = await event();
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({
      type: expect.stringContaining('slack-not-connected') as unknown,
    });
    const ready = await server.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({
      failing: expect.arrayContaining(['front ends']) as unknown,
    });
    expect(slackApp.readiness.status().detail).toMatch(/^could not connect: cannot reach Slack: /);
    expect(
      lines.some((l) => l.includes('the Slack app could not connect: cannot reach Slack')),
    ).toBe(true);

    // Slack is back: the next request connects on its way in, and is served.
    slack = await startSlackServer({ botToken: BOT_TOKEN, port });
    const served = await event();
    expect(served.statusCode).toBe(200);
    expect(slackApp.readiness.status()).toEqual({ ok: true, detail: 'connected' });
    expect(slack.count('auth.test')).toBeGreaterThan(0);
    await server.close();
  });
});
