import { beforeEach, describe, expect, it, vi } from 'vitest';
import { callContext } from '../contracts/call-context.js';
import {
  API_TOKEN,
  cloudConfig,
  EMAIL,
  jiraPlugin,
  loggedContext,
  PAT,
  type testGuards,
  useJiraServer,
} from './jira-setup.js';

// What goes wrong: configurations aidev refuses, Jira's errors through the real SDK, and what
// the log must never show (checked last, over everything these tests logged).
const jira = useJiraServer();
const { plugin, newGuards, logger, lines } = jira;

describe('jira: configuration', () => {
  const configure = (config: Record<string, unknown>) => () =>
    jiraPlugin(config, logger, newGuards());

  it('names the missing credential of each deployment, never showing a secret', () => {
    expect(configure({ url: 'https://acme.atlassian.net', api_token: API_TOKEN })).toThrow(
      /jira\.email: expected the email address.*Jira Cloud signs in with email and api_token/,
    );
    expect(configure({ url: 'https://acme.atlassian.net', email: EMAIL })).toThrow(
      /jira\.api_token: expected an API token/,
    );
    expect(configure({ url: 'https://jira.acme.com', deployment: 'server' })).toThrow(
      /jira\.pat: expected a personal access token/,
    );
    let message = '';
    try {
      configure({ url: 'ftp://jira', pat: PAT, api_token: 42 })();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/jira\.url: expected an http\(s\) URL/);
    expect(message).not.toContain(PAT);
    expect(configure({ url: `https://bot:${PAT}@jira.acme.com`, pat: PAT })).toThrow(
      'jira.url: expected a URL without credentials in it (use email and api_token, or pat), found "https://***@jira.acme.com/"',
    );
  });

  it('defaults the deployment from the credential and checks it on connect', async () => {
    const wrong = jiraPlugin(
      { url: jira.server.url, email: EMAIL, api_token: 'not-the-right-token' },
      logger,
      newGuards(),
    );
    await wrong.registry.connectAll();
    const [status] = await wrong.registry.health();
    // Its reconnection attempts (one a second at first) would send requests to later tests.
    await wrong.registry.disconnectAll();
    expect(status).toMatchObject({ ok: false });
    expect(status?.detail).toMatch(
      /Jira get the signed-in user answered 401: You are not authenticated/,
    );
    expect(await plugin('dataCenter').health()).toEqual({
      ok: true,
      detail: `Jira Server / Data Center at ${jira.server.url}, signed in as aidev bot`,
    });
    expect((await plugin('cloud').health()).detail).toMatch(/^Jira Cloud at .*aidev bot$/);
  });

  it('says who aidev is on Jira: Cloud’s account id, Data Center’s user name', async () => {
    // An issue assigned to this account asks aidev for work (tracker_triggers).
    expect(await plugin('cloud').identity?.()).toEqual({
      login: '5b10ac8d82e05b22cc7d4ef5',
      mentions: [],
    });
    expect(await plugin('dataCenter').identity?.()).toEqual({ login: 'aidev', mentions: [] });
  });
});

describe('jira: failures through the real SDK', () => {
  /** A Cloud plugin with its own guard, so breaker state does not leak between tests. */
  const cloudWith = (settings: Parameters<typeof testGuards>[1] = {}) => {
    const g = newGuards(settings);
    return {
      actions: jiraPlugin(cloudConfig(jira.server.url), logger, g).plugin.actions,
      guard: g,
    };
  };

  beforeEach(() => {
    jira.server.reset();
    jira.server.givenIssue({ key: 'PROJ-1', title: 'Fix the rounding bug', status: 'To Do' });
  });

  it('answers a missing issue with not_found naming the key, without retrying', async () => {
    const { actions } = cloudWith();
    for (const call of [
      () => actions.get_task({ task_id: 'PROJ-404' }, callContext()),
      () => actions.update_task_status({ task_id: 'PROJ-404', status: 'Done' }, callContext()),
      () => actions.add_comment({ task_id: 'PROJ-404', comment: 'hi' }, callContext()),
    ])
      await expect(call()).rejects.toMatchObject({
        name: 'VendorError',
        code: 'not_found',
        retryable: false,
        message: expect.stringMatching(/PROJ-404.*Issue does not exist/) as unknown as string,
      });
    expect(jira.server.http.requests.map((r) => r.status)).toEqual([404, 404, 404]);
  });

  it('lists the target statuses when no transition matches, and changes nothing', async () => {
    const { actions } = cloudWith();
    await expect(
      actions.update_task_status({ task_id: 'PROJ-1', status: 'Shipped' }, callContext()),
    ).rejects.toMatchObject({
      code: 'no_transition',
      message:
        'cannot move PROJ-1 from "To Do" to "Shipped" in Jira; available: In Progress, In Review, Done',
    });
    expect(
      jira.server.http.count('doTransition') + jira.server.http.count('setIssueProperty'),
    ).toBe(0);
    // A transition's own name works as well as its target status.
    const moved = await actions.update_task_status(
      { task_id: 'PROJ-1', status: 'request REVIEW' },
      callContext(),
    );
    expect(moved).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
  });

  it('waits as long as a 429’s Retry-After says, then succeeds', async () => {
    const { actions } = cloudWith();
    jira.server.http.inject({ status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const { task } = await actions.get_task({ task_id: 'PROJ-1' }, callContext());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(task.key).toBe('PROJ-1');
    expect(jira.server.http.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(lines.some((l) => l.includes('"waitMs":1000') && l.includes('"status":429'))).toBe(true);
  });

  it('retries 5xx and dropped connections, then succeeds', async () => {
    const { actions } = cloudWith();
    jira.server.http.inject({ status: 503, times: 2 });
    jira.server.http.inject({ drop: true });
    const comment = await actions.add_comment({ task_id: 'PROJ-1', comment: 'ok' }, callContext());
    expect(jira.server.http.requests.map((r) => r.status)).toEqual([503, 503, -1, 200, 201]);
    expect(jira.server.commentsOf('PROJ-1')).toEqual(['ok']);
    expect(comment.comment_id).toMatch(/^\d+$/);
  });

  it('opens the breaker after repeated 5xx (later calls never reach Jira) and closes after a good probe', async () => {
    const { actions, guard } = cloudWith({ breakerVolume: 2, breakerResetMs: 300 });
    jira.server.http.inject({ status: 500, times: 2 });
    await expect(actions.get_task({ task_id: 'PROJ-1' }, callContext())).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(jira.server.http.count()).toBe(2);
    expect(guard.for('jira', jira.server.url).state()).toBe('open');
    await expect(actions.get_task({ task_id: 'PROJ-1' }, callContext())).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(jira.server.http.count()).toBe(2);
    // The breaker lets a probe through once its reset time has passed: wait for that, not a time.
    await vi.waitFor(() => expect(guard.for('jira', jira.server.url).state()).toBe('half_open'), {
      timeout: 10_000,
    });
    expect((await actions.get_task({ task_id: 'PROJ-1' }, callContext())).task.key).toBe('PROJ-1');
    expect(jira.server.http.count()).toBe(3);
    expect(guard.for('jira', jira.server.url).state()).toBe('closed');
  });

  it('reads every page of a project on both deployments, and stops at 1000 with a warning', async () => {
    for (let n = 2; n <= 250; n++) jira.server.givenIssue({ key: `PROJ-${n}`, title: `Task ${n}` });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      jira.server.http.resetTraffic();
      const { tasks } = await plugin(kind).actions.get_project_tasks(
        { project: 'PROJ' },
        callContext(),
      );
      expect(tasks.map((t) => t.key)).toEqual(
        Array.from({ length: 250 }, (_, i) => `PROJ-${i + 1}`),
      );
      expect(jira.server.http.count()).toBe(3);
    }
    for (let n = 251; n <= 1030; n++)
      jira.server.givenIssue({ key: `PROJ-${n}`, title: `Task ${n}` });
    jira.server.http.resetTraffic();
    const { tasks } = await plugin('cloud').actions.get_project_tasks(
      { project: 'PROJ' },
      loggedContext(logger),
    );
    expect(tasks).toHaveLength(1000);
    expect(jira.server.http.count('searchAndReconsileIssuesUsingJql')).toBe(10);
    expect(lines.some((l) => l.includes('more than 1000 matching tasks'))).toBe(true);
  });

  it('sends status and filter as JQL, and reports Jira’s refusal of a bad filter without retrying', async () => {
    jira.server.givenIssue({
      key: 'PROJ-2',
      title: 'Add CSV export',
      status: 'Done',
      labels: ['csv'],
    });
    jira.server.givenIssue({
      key: 'OTHER-1',
      title: 'Add CSV export',
      status: 'Done',
      labels: ['csv'],
    });
    const { actions } = cloudWith();
    const found = await actions.get_project_tasks(
      { project: 'PROJ', status: 'done', filter: 'labels = csv OR summary ~ "rounding"' },
      callContext(),
    );
    expect(found.tasks.map((t) => t.key)).toEqual(['PROJ-2']);
    expect(jira.server.http.requests[0]?.query.jql).toBe(
      'project = "PROJ" AND status = "done" AND (labels = csv OR summary ~ "rounding") ORDER BY key ASC',
    );
    jira.server.http.resetTraffic();
    await expect(
      actions.get_project_tasks(
        { project: 'PROJ', filter: 'sprint in openSprints(' },
        callContext(),
      ),
    ).rejects.toMatchObject({ code: 'invalid_request', retryable: false });
    expect(jira.server.http.count()).toBe(1);
  });

  it('records a request that violates Jira’s description', async () => {
    const response = await fetch(
      `${jira.server.url}/rest/api/3/issue/PROJ-1/comment?orderBy=sideways`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`,
        },
      },
    );
    expect(response.status).toBe(400);
    expect(jira.server.http.violations).toEqual([
      expect.stringContaining(
        'GET /rest/api/3/issue/PROJ-1/comment (getComments) violates the Jira API description',
      ),
    ]);
    jira.server.http.violations.length = 0; // seen; the afterEach check is for unexpected ones
  });
});

// Last, so that it scans what every test above logged, the rejected token included.
describe('jira: secrets', () => {
  it('never logs the API token or the personal access token', () => {
    expect(lines.length).toBeGreaterThan(10);
    const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
    for (const secret of [API_TOKEN, PAT, basic, 'not-the-right-token'])
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
