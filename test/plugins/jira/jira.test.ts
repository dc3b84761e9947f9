import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from '../../../src/plugins/plugin.js';
import type { Guards } from '../../../src/resilience/guards.js';
import { capturingLogger } from '../../support/logger.js';
import { JiraServer } from '../../vendors/jira/jira-server.js';
import { callContext } from '../contracts/call-context.js';
import {
  taskManagementContract,
  type TaskManagementFixture,
} from '../contracts/task-management.contract.js';
import {
  API_TOKEN,
  cloudConfig,
  dataCenterConfig,
  EMAIL,
  jiraPlugin,
  loggedContext,
  PAT,
  testGuards,
} from './jira-setup.js';

// Built without the secrets: the scan at the end proves nothing relied on the scrubber.
const { logger, lines } = capturingLogger({ level: 'debug' });
let server: JiraServer;
const guards: Guards[] = [];
const plugins: { cloud?: Plugin<'task_management'>; dataCenter?: Plugin<'task_management'> } = {};

function plugin(kind: 'cloud' | 'dataCenter'): Plugin<'task_management'> {
  const found = plugins[kind];
  if (found === undefined) throw new Error('the plugins are not built yet');
  return found;
}

function newGuards(settings: Parameters<typeof testGuards>[1] = {}): Guards {
  const made = testGuards(logger, settings);
  guards.push(made);
  return made;
}

beforeAll(async () => {
  server = await JiraServer.start({ email: EMAIL, apiToken: API_TOKEN, pat: PAT });
  plugins.cloud = jiraPlugin(cloudConfig(server.url), logger, newGuards()).plugin;
  plugins.dataCenter = jiraPlugin(dataCenterConfig(server.url), logger, newGuards()).plugin;
  await plugin('cloud').connect();
  await plugin('dataCenter').connect();
});

afterEach(() => {
  // Any request the real Jira would refuse fails the test that sent it.
  expect(server.http.violations).toEqual([]);
  expect(lines.filter((l) => l.includes('did not match jira.js'))).toEqual([]);
});

afterAll(async () => {
  for (const g of guards) g.shutdown();
  await server?.close();
});

function fixture(kind: 'cloud' | 'dataCenter'): () => TaskManagementFixture {
  return () => ({
    plugin: plugin(kind),
    async reset() {
      server.reset();
    },
    async givenTask(task) {
      server.givenIssue({
        key: task.key,
        title: task.title,
        status: task.status,
        ...(task.description === undefined ? {} : { description: task.description }),
        ...(task.labels === undefined ? {} : { labels: task.labels }),
      });
    },
    async commentsOf(key) {
      return server.commentsOf(key);
    },
  });
}

taskManagementContract('jira (Cloud, REST v3)', fixture('cloud'));
taskManagementContract(
  'jira (Data Center, REST v2 with a personal access token)',
  fixture('dataCenter'),
);

describe('jira: each deployment speaks its own API', () => {
  it('Cloud sends REST v3 with Basic auth, Data Center REST v2 with the PAT', async () => {
    server.reset();
    server.givenIssue({ key: 'PROJ-1', title: 'One', description: 'a\n\nb' });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      server.http.resetTraffic();
      const actions = plugin(kind).actions;
      expect((await actions.get_task({ task_id: 'PROJ-1' }, callContext())).task.description).toBe(
        'a\n\nb',
      );
      await actions.add_comment({ task_id: 'PROJ-1', comment: `from ${kind}` }, callContext());
      await actions.get_project_tasks({ project: 'PROJ' }, callContext());
      const prefix = kind === 'cloud' ? '/rest/api/3/' : '/rest/api/2/';
      const auth = kind === 'cloud' ? /^Basic / : new RegExp(`^Bearer ${PAT}$`);
      expect(server.http.requests.length).toBeGreaterThan(0);
      for (const request of server.http.requests) {
        expect(request.path.startsWith(prefix)).toBe(true);
        expect(String(request.headers.authorization)).toMatch(auth);
      }
    }
    expect(server.commentsOf('PROJ-1')).toEqual(['from cloud', 'from dataCenter']);
  });
});

describe('jira: issues in aidev’s task shape', () => {
  it('reads custom fields, the epic, assignee and priority the way each deployment keeps them', async () => {
    server.reset();
    server.givenIssue({ key: 'PAY-1', title: 'Billing', issueType: 'Epic' });
    server.givenIssue({
      key: 'PAY-2',
      title: 'Invoice list',
      status: 'In Progress',
      description: 'First line\nSecond line',
      labels: ['billing', 'ui'],
      assignee: 'Ada Lovelace',
      priority: 'High',
      parent: 'PAY-1',
      custom: {
        customfield_10016: 5,
        customfield_10001: { id: 'a1b2', name: 'Payments', title: 'Payments' },
        customfield_10002: 3,
        customfield_10014: 'PAY-1',
        customfield_10500: { value: 'Checkout' },
      },
    });
    const common = {
      key: 'PAY-2',
      title: 'Invoice list',
      description: 'First line\nSecond line',
      status: 'In Progress',
      issue_type: 'Task',
      assignee: 'Ada Lovelace',
      priority: 'High',
      labels: ['billing', 'ui'],
      epic: 'PAY-1',
      url: `${server.url}/browse/PAY-2`,
    };
    const cloud = await plugin('cloud').actions.get_task({ task_id: 'PAY-2' }, callContext());
    expect(cloud.task).toEqual({ ...common, story_points: 5, team: 'Payments' });
    const dc = await plugin('dataCenter').actions.get_task({ task_id: 'PAY-2' }, callContext());
    expect(dc.task).toEqual({ ...common, story_points: 3, team: 'Checkout' });
  });

  it('links a new task to its epic by parent on Cloud and by Epic Link on Data Center', async () => {
    server.reset();
    server.givenProject('PAY');
    const epic = await plugin('dataCenter').actions.create_epic(
      { project: 'PAY', title: 'Billing', description: 'All of it' },
      callContext(),
    );
    expect(server.issue(epic.epic_id)?.custom).toEqual({ customfield_10011: 'Billing' });
    const dc = await plugin('dataCenter').actions.create_task(
      { project: 'PAY', title: 'From DC', epic: epic.epic_id, labels: ['x'] },
      callContext(),
    );
    expect(server.issue(dc.task_id)).toMatchObject({
      parent: null,
      custom: { customfield_10014: epic.epic_id },
      labels: ['x'],
    });
    const cloud = await plugin('cloud').actions.create_task(
      { project: 'PAY', title: 'From Cloud', epic: epic.epic_id, description: 'Two\nlines' },
      callContext(),
    );
    expect(server.issue(cloud.task_id)).toMatchObject({
      parent: epic.epic_id,
      custom: {},
      description: 'Two\nlines',
      issueType: 'Task',
    });
    expect(cloud.url).toBe(`${server.url}/browse/${cloud.task_id}`);
  });
});

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
      { url: server.url, email: EMAIL, api_token: 'not-the-right-token' },
      logger,
      newGuards(),
    );
    await wrong.registry.connectAll();
    const [status] = await wrong.registry.health();
    expect(status).toMatchObject({ ok: false });
    expect(status?.detail).toMatch(
      /jira answered 401: get the signed-in user: You are not authenticated/,
    );
    expect(await plugin('dataCenter').health()).toEqual({
      ok: true,
      detail: `Jira Server / Data Center at ${server.url}, signed in as aidev bot`,
    });
    expect((await plugin('cloud').health()).detail).toMatch(/^Jira Cloud at .*aidev bot$/);
  });
});

describe('jira: failures through the real SDK', () => {
  /** A Cloud plugin with its own guard, so breaker state does not leak between tests. */
  const cloudWith = (settings: Parameters<typeof testGuards>[1] = {}) => {
    const g = newGuards(settings);
    return { actions: jiraPlugin(cloudConfig(server.url), logger, g).plugin.actions, guard: g };
  };

  beforeEach(() => {
    server.reset();
    server.givenIssue({ key: 'PROJ-1', title: 'Fix the rounding bug', status: 'To Do' });
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
    expect(server.http.requests.map((r) => r.status)).toEqual([404, 404, 404]);
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
    expect(server.http.count('doTransition') + server.http.count('setIssueProperty')).toBe(0);
    // A transition's own name works as well as its target status.
    const moved = await actions.update_task_status(
      { task_id: 'PROJ-1', status: 'request REVIEW' },
      callContext(),
    );
    expect(moved).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
  });

  it('waits as long as a 429’s Retry-After says, then succeeds', async () => {
    const { actions } = cloudWith();
    server.http.inject({ status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const { task } = await actions.get_task({ task_id: 'PROJ-1' }, callContext());
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(task.key).toBe('PROJ-1');
    expect(server.http.requests.map((r) => r.status)).toEqual([429, 200]);
    expect(lines.some((l) => l.includes('"waitMs":1000') && l.includes('"status":429'))).toBe(true);
  });

  it('retries 5xx and dropped connections, then succeeds', async () => {
    const { actions } = cloudWith();
    server.http.inject({ status: 503, times: 2 });
    server.http.inject({ drop: true });
    const comment = await actions.add_comment({ task_id: 'PROJ-1', comment: 'ok' }, callContext());
    expect(server.http.requests.map((r) => r.status)).toEqual([503, 503, -1, 200, 201]);
    expect(server.commentsOf('PROJ-1')).toEqual(['ok']);
    expect(comment.comment_id).toMatch(/^\d+$/);
  });

  it('opens the breaker after repeated 5xx (later calls never reach Jira) and closes after a good probe', async () => {
    const { actions, guard } = cloudWith({ breakerVolume: 2, breakerResetMs: 300 });
    server.http.inject({ status: 500, times: 2 });
    await expect(actions.get_task({ task_id: 'PROJ-1' }, callContext())).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(server.http.count()).toBe(2);
    expect(guard.for('jira').state()).toBe('open');
    await expect(actions.get_task({ task_id: 'PROJ-1' }, callContext())).rejects.toMatchObject({
      code: 'circuit_open',
    });
    expect(server.http.count()).toBe(2);
    await sleep(350);
    expect((await actions.get_task({ task_id: 'PROJ-1' }, callContext())).task.key).toBe('PROJ-1');
    expect(server.http.count()).toBe(3);
    expect(guard.for('jira').state()).toBe('closed');
  });

  it('reads every page of a project on both deployments, and stops at 1000 with a warning', async () => {
    for (let n = 2; n <= 250; n++) server.givenIssue({ key: `PROJ-${n}`, title: `Task ${n}` });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      server.http.resetTraffic();
      const { tasks } = await plugin(kind).actions.get_project_tasks(
        { project: 'PROJ' },
        callContext(),
      );
      expect(tasks.map((t) => t.key)).toEqual(
        Array.from({ length: 250 }, (_, i) => `PROJ-${i + 1}`),
      );
      expect(server.http.count()).toBe(3);
    }
    for (let n = 251; n <= 1030; n++) server.givenIssue({ key: `PROJ-${n}`, title: `Task ${n}` });
    server.http.resetTraffic();
    const { tasks } = await plugin('cloud').actions.get_project_tasks(
      { project: 'PROJ' },
      loggedContext(logger),
    );
    expect(tasks).toHaveLength(1000);
    expect(server.http.count('searchAndReconsileIssuesUsingJql')).toBe(10);
    expect(lines.some((l) => l.includes('more than 1000 matching tasks'))).toBe(true);
  });

  it('sends status and filter as JQL, and reports Jira’s refusal of a bad filter without retrying', async () => {
    server.givenIssue({ key: 'PROJ-2', title: 'Add CSV export', status: 'Done', labels: ['csv'] });
    server.givenIssue({ key: 'OTHER-1', title: 'Add CSV export', status: 'Done', labels: ['csv'] });
    const { actions } = cloudWith();
    const found = await actions.get_project_tasks(
      { project: 'PROJ', status: 'done', filter: 'labels = csv OR summary ~ "rounding"' },
      callContext(),
    );
    expect(found.tasks.map((t) => t.key)).toEqual(['PROJ-2']);
    expect(server.http.requests[0]?.query.jql).toBe(
      'project = "PROJ" AND status = "done" AND (labels = csv OR summary ~ "rounding") ORDER BY key ASC',
    );
    server.http.resetTraffic();
    await expect(
      actions.get_project_tasks(
        { project: 'PROJ', filter: 'sprint in openSprints(' },
        callContext(),
      ),
    ).rejects.toMatchObject({ code: 'invalid_request', retryable: false });
    expect(server.http.count()).toBe(1);
  });

  it('records a request that violates Jira’s description', async () => {
    const response = await fetch(`${server.url}/rest/api/3/issue/PROJ-1/comment?orderBy=sideways`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64')}`,
      },
    });
    expect(response.status).toBe(400);
    expect(server.http.violations).toEqual([
      expect.stringContaining(
        'GET /rest/api/3/issue/PROJ-1/comment (getComments) violates the Jira API description',
      ),
    ]);
    server.http.violations.length = 0; // seen; the afterEach check is for unexpected ones
  });
});

describe('jira: idempotency when an attempt stopped half-way', () => {
  beforeEach(() => {
    server.reset();
    server.givenIssue({ key: 'PROJ-1', title: 'Fix the rounding bug', status: 'To Do' });
  });

  it('makes a recorded transition that did not happen, reporting the recorded status', async () => {
    const context = callContext('run-9:move');
    server.issue('PROJ-1')?.properties.set('aidev.transitions', {
      changes: [{ key: 'run-9:move', from: 'To Do', to: 'In Review' }],
    });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      const moved = await plugin(kind).actions.update_task_status(
        { task_id: 'PROJ-1', status: 'In Review', comment: 'PR #7' },
        context,
      );
      expect(moved).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
    }
    expect(server.issue('PROJ-1')?.status).toBe('In Review');
    expect(server.http.count('doTransition') + server.http.count('doTransitionV2')).toBe(1);
    expect(server.commentsOf('PROJ-1')).toEqual(['PR #7']);
  });

  it('finds the issue an earlier attempt created among this account’s issues', async () => {
    const first = await plugin('dataCenter').actions.create_task(
      { project: 'PROJ', title: 'Once' },
      callContext('run-3:create'),
    );
    for (let n = 0; n < 120; n++)
      await plugin('dataCenter').actions.create_task(
        { project: 'PROJ', title: `Other ${n}` },
        callContext(),
      );
    server.http.resetTraffic();
    const again = await plugin('cloud').actions.create_task(
      { project: 'PROJ', title: 'Once' },
      callContext('run-3:create'),
    );
    expect(again.task_id).toBe(first.task_id);
    expect(server.http.count('createIssue')).toBe(0);
    expect(server.http.count('searchAndReconsileIssuesUsingJql')).toBe(2);
  });
});

describe('jira: secrets', () => {
  it('never logs the API token or the personal access token', () => {
    expect(lines.length).toBeGreaterThan(10);
    const basic = Buffer.from(`${EMAIL}:${API_TOKEN}`).toString('base64');
    for (const secret of [API_TOKEN, PAT, basic, 'not-the-right-token'])
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
  });
});
