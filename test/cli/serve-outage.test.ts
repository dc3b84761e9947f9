import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { API_TOKEN as JIRA_TOKEN, EMAIL as JIRA_EMAIL } from '../plugins/jira/jira-setup.js';
import { createPgliteDataDir } from '../support/backends.js';
import { runInProcess } from '../support/cli.js';
import { AidevProcess, freePort, type LogLine } from '../support/serve-process.js';
import { JiraServer } from '../vendors/jira/jira-server.js';
import { startSlackServer, type SlackServer } from '../vendors/slack/slack-server.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../vendors-slack/slack-test-setup.js';

const SETTINGS = `
workflows:
  directory: workflows
# Breakers that the outage opens and that stay open far longer than the test: the reconnection's
# probes, not the breaker's reset, must bring the vendors back.
resilience:
  jira: { breaker_reset: 10m }
  slack: { breaker_reset: 10m }
`;

const FETCH_TASK = `
name: fetch-task
description: Fetch one tracker task
version: '1.0.0'
inputs:
  task_key: { type: string, description: 'Tracker key' }
steps:
  - name: fetch_task
    plugin: task_management
    action: get_task
    inputs: { task_id: '\${task_key}' }
    outputs: { task: task }
    on_error: retry
    retry_count: 2
`;

/** A working directory with the settings file and a one-step Jira workflow. */
async function workingDirectory(): Promise<string> {
  const dir = await mkdtemp(path.join(inject('scratchDir'), 'serve-outage-'));
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'aidev.config.yaml'), SETTINGS);
  await writeFile(path.join(dir, 'workflows', 'fetch-task.yaml'), FETCH_TASK);
  return dir;
}

async function adminToken(env: Record<string, string>, cwd: string): Promise<string> {
  const created = await runInProcess(
    ['token', 'create', '--name', 'ops', '--role', 'admin', '--json'],
    env,
    cwd,
  );
  expect(created.stderr).toBe('');
  return (JSON.parse(created.stdout) as { token: string }).token;
}

const isError = (line: LogLine) => line.level >= 50;

describe('aidev serve while vendors are down', () => {
  let slack: SlackServer | undefined;
  let jira: JiraServer | undefined;
  let serve: AidevProcess | undefined;
  afterAll(async () => {
    await serve?.stop();
    await slack?.close();
    await jira?.close();
  });

  it('starts with Slack unreachable and Jira answering 503, reports them on /ready, and recovers without a restart', async () => {
    const cwd = await workingDirectory();
    const slackPort = await freePort();
    jira = await JiraServer.start({ email: JIRA_EMAIL, apiToken: JIRA_TOKEN });
    jira.givenIssue({ key: 'PROJ-1', title: 'Make the login page faster' });
    jira.http.inject({ status: 503, times: 1_000_000 });
    const env = {
      AIDEV_DATA_DIR: await createPgliteDataDir(),
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
      JIRA_URL: jira.url,
      JIRA_EMAIL,
      JIRA_API_TOKEN: JIRA_TOKEN,
    };
    const token = await adminToken(env, cwd);
    serve = new AidevProcess(['serve'], env, cwd, await freePort());
    await serve.waitForLog((l) => l.msg.startsWith('serving on'));

    // 1. Up, and says what is down: health is fine, readiness names Slack and Jira.
    expect((await serve.get('/health')).status).toBe(200);
    const unready = await serve.get('/ready');
    expect(unready.status).toBe(503);
    expect(unready.body.failing).toEqual(expect.arrayContaining(['plugins', 'front ends']));
    const unreadyAdmin = await serve.get('/ready', token);
    expect(unreadyAdmin.status).toBe(503);
    const failing = (unreadyAdmin.body.failing as string[]).join('; ');
    expect(failing).toMatch(/slack/);
    expect(failing).toMatch(/jira/);
    // The REST API answers meanwhile.
    expect((await serve.get('/api/v1/workflows', token)).status).toBe(200);
    // The log says which service failed and why, without a credential.
    await serve.waitForLog((l) => /slack/i.test(l.msg) && /could not connect/.test(l.msg));
    await serve.waitForLog((l) => /jira/.test(l.msg) && /could not connect.*503/.test(l.msg));
    const logged = JSON.stringify(serve.lines);
    for (const secret of [BOT_TOKEN, SIGNING_SECRET, JIRA_TOKEN, token])
      expect(logged).not.toContain(secret);

    // 2. The vendors come back: aidev reconnects in the background and becomes ready.
    slack = await startSlackServer({ botToken: BOT_TOKEN, port: slackPort });
    jira.http.resetTraffic();
    await serve.until('a ready answer', async () => {
      const ready = await serve?.get('/ready', token);
      return ready?.status === 200 ? ready : undefined;
    });
    expect((await serve.get('/ready')).status).toBe(200);
    expect(slack.count('auth.test')).toBeGreaterThan(0);

    // 3. A Jira step works on the reconnected plugin.
    const started = await serve.request(
      'POST',
      '/api/v1/runs',
      { workflow: 'fetch-task', inputs: { task_key: 'PROJ-1' } },
      token,
    );
    expect(started.status).toBe(202);
    const run = await serve.until('the run to finish', async () => {
      const current = await serve?.get(`/api/v1/runs/${String(started.body.id)}`, token);
      const status = current?.body.status;
      return status === 'succeeded' || status === 'failed' ? current?.body : undefined;
    });
    expect(run.status).toBe('succeeded');

    // 4. Stops cleanly: exit code 0, nothing logged as an error while stopping.
    const stopping = serve.lines.length;
    expect(await serve.stop()).toBe(0);
    expect(serve.lines.slice(stopping).filter(isError)).toEqual([]);
  }, 120_000);
});
