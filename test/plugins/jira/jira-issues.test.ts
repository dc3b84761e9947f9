import { beforeEach, describe, expect, it } from 'vitest';
import { callContext } from '../contracts/call-context.js';
import { useJiraServer } from './jira-setup.js';

const jira = useJiraServer();
const { plugin } = jira;

describe('jira: issues in aidev’s task shape', () => {
  it('reads custom fields, the epic, assignee and priority the way each deployment keeps them', async () => {
    jira.server.reset();
    jira.server.givenIssue({ key: 'PAY-1', title: 'Billing', issueType: 'Epic' });
    jira.server.givenIssue({
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
      url: `${jira.server.url}/browse/PAY-2`,
    };
    const cloud = await plugin('cloud').actions.get_task({ task_id: 'PAY-2' }, callContext());
    expect(cloud.task).toEqual({ ...common, story_points: 5, team: 'Payments' });
    const dc = await plugin('dataCenter').actions.get_task({ task_id: 'PAY-2' }, callContext());
    expect(dc.task).toEqual({ ...common, story_points: 3, team: 'Checkout' });
  });

  it('links a new task to its epic by parent on Cloud and by Epic Link on Data Center', async () => {
    jira.server.reset();
    jira.server.givenProject('PAY');
    const epic = await plugin('dataCenter').actions.create_epic(
      { project: 'PAY', title: 'Billing', description: 'All of it' },
      callContext(),
    );
    expect(jira.server.issue(epic.epic_id)?.custom).toEqual({ customfield_10011: 'Billing' });
    const dc = await plugin('dataCenter').actions.create_task(
      { project: 'PAY', title: 'From DC', epic: epic.epic_id, labels: ['x'] },
      callContext(),
    );
    expect(jira.server.issue(dc.task_id)).toMatchObject({
      parent: null,
      custom: { customfield_10014: epic.epic_id },
      labels: ['x'],
    });
    const cloud = await plugin('cloud').actions.create_task(
      { project: 'PAY', title: 'From Cloud', epic: epic.epic_id, description: 'Two\nlines' },
      callContext(),
    );
    expect(jira.server.issue(cloud.task_id)).toMatchObject({
      parent: epic.epic_id,
      custom: {},
      description: 'Two\nlines',
      issueType: 'Task',
    });
    expect(cloud.url).toBe(`${jira.server.url}/browse/${cloud.task_id}`);
  });
});

describe('jira: idempotency when an attempt stopped half-way', () => {
  beforeEach(() => {
    jira.server.reset();
    jira.server.givenIssue({ key: 'PROJ-1', title: 'Fix the rounding bug', status: 'To Do' });
  });

  it('makes a recorded transition that did not happen, reporting the recorded status', async () => {
    const context = callContext('run-9:move');
    jira.server.issue('PROJ-1')?.properties.set('aidev.transitions', {
      changes: [{ key: 'run-9:move', from: 'To Do', to: 'In Review' }],
    });
    for (const kind of ['cloud', 'dataCenter'] as const) {
      const moved = await plugin(kind).actions.update_task_status(
        { task_id: 'PROJ-1', status: 'In Review', comment: 'PR #7' },
        context,
      );
      expect(moved).toEqual({ task_id: 'PROJ-1', status: 'In Review', previous_status: 'To Do' });
    }
    expect(jira.server.issue('PROJ-1')?.status).toBe('In Review');
    expect(jira.server.http.count('doTransition') + jira.server.http.count('doTransitionV2')).toBe(
      1,
    );
    expect(jira.server.commentsOf('PROJ-1')).toEqual(['PR #7']);
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
    jira.server.http.resetTraffic();
    const again = await plugin('cloud').actions.create_task(
      { project: 'PROJ', title: 'Once' },
      callContext('run-3:create'),
    );
    expect(again.task_id).toBe(first.task_id);
    expect(jira.server.http.count('createIssue')).toBe(0);
    expect(jira.server.http.count('searchAndReconsileIssuesUsingJql')).toBe(2);
  });
});
