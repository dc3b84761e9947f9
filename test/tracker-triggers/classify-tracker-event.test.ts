import { describe, expect, it } from 'vitest';
import {
  classifyJiraEvent,
  classifyLinearEvent,
  type TriggerOptions,
} from '../../src/tracker-triggers/classify-tracker-event.js';

const OPTIONS: TriggerOptions = {
  label: 'aidev',
  botAccounts: ['5b10ac8d82e05b22cc7d4ef5', 'lin-user-aidev'],
  mentions: ['aidev'],
};

/** Jira's jira:issue_updated, as Cloud sends it: the issue, who, and the changelog. */
const jiraUpdate = (items: Record<string, unknown>[]) => ({
  timestamp: Date.now(),
  webhookEvent: 'jira:issue_updated',
  issue_event_type_name: 'issue_updated',
  user: { accountId: '5b10a2844c20165700ede21g', displayName: 'Alice Jones' },
  issue: { id: '10002', key: 'PROJ-7', fields: { project: { key: 'PROJ' }, labels: ['aidev'] } },
  changelog: { id: '10100', items },
});

const jiraComment = (body: string, accountId = '5b10a2844c20165700ede21g') => ({
  timestamp: Date.now(),
  webhookEvent: 'comment_created',
  issue: { id: '10002', key: 'PROJ-7', fields: { project: { key: 'PROJ' } } },
  comment: { id: '10050', body, author: { accountId, displayName: 'Alice Jones' } },
});

describe('what a Jira delivery asks of aidev', () => {
  it('starts work when the label is added or the issue is assigned to aidev', () => {
    expect(
      classifyJiraEvent(
        jiraUpdate([{ field: 'labels', fromString: 'backend', toString: 'backend aidev' }]),
        OPTIONS,
      ),
    ).toEqual({
      kind: 'start',
      issueKey: 'PROJ-7',
      project: 'PROJ',
      why: 'added the label aidev',
      by: 'Alice Jones',
      account: '5b10a2844c20165700ede21g',
    });
    expect(
      classifyJiraEvent(
        jiraUpdate([{ field: 'assignee', from: null, to: '5b10ac8d82e05b22cc7d4ef5' }]),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'start', why: 'assigned it to aidev' });
  });

  it('stops when the label is removed or aidev unassigned', () => {
    expect(
      classifyJiraEvent(
        jiraUpdate([{ field: 'labels', fromString: 'aidev backend', toString: 'backend' }]),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'stop', why: 'removed the label aidev' });
    expect(
      classifyJiraEvent(
        jiraUpdate([{ field: 'assignee', from: '5b10ac8d82e05b22cc7d4ef5', to: 'someone' }]),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'stop', why: 'unassigned aidev' });
  });

  it('reads a changelog without `toString` as no labels, not as Object.prototype.toString', () => {
    expect(
      classifyJiraEvent(jiraUpdate([{ field: 'labels', fromString: 'aidev' }]), OPTIONS),
    ).toMatchObject({ kind: 'stop' });
    expect(classifyJiraEvent(jiraUpdate([{ field: 'summary' }]), OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'an update that changed neither the label nor the assignment to aidev',
    });
  });

  it('takes /aidev implement in a comment as a start, a mention as a follow-up, its own as nothing', () => {
    expect(classifyJiraEvent(jiraComment('/aidev implement'), OPTIONS)).toMatchObject({
      kind: 'start',
      why: 'asked /aidev implement',
    });
    expect(
      classifyJiraEvent(
        jiraComment('[~accountid:5b10ac8d82e05b22cc7d4ef5] also handle an empty cart'),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'comment', body: expect.stringContaining('empty cart') as string });
    expect(
      classifyJiraEvent(jiraComment('@aidev please', '5b10ac8d82e05b22cc7d4ef5'), OPTIONS),
    ).toEqual({ kind: 'ignored', reason: 'a comment aidev wrote itself' });
    expect(classifyJiraEvent(jiraComment('looks good, mail@aidev.io'), OPTIONS)).toMatchObject({
      kind: 'ignored',
    });
  });

  it('ignores other events and events about no issue', () => {
    expect(
      classifyJiraEvent({ webhookEvent: 'jira:issue_deleted', issue: { key: 'PROJ-1' } }, OPTIONS),
    ).toEqual({
      kind: 'ignored',
      reason: 'aidev does not act on jira:issue_deleted events',
    });
    expect(classifyJiraEvent({ webhookEvent: 'comment_created' }, OPTIONS)).toMatchObject({
      kind: 'ignored',
    });
  });
});

/** Linear's Issue update: the issue now, and `updatedFrom` with what the changed fields were. */
const linearUpdate = (data: Record<string, unknown>, updatedFrom: Record<string, unknown>) => ({
  action: 'update',
  type: 'Issue',
  actor: { id: 'lin-user-alice', name: 'Alice Jones' },
  createdAt: new Date().toISOString(),
  webhookTimestamp: Date.now(),
  data: {
    id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9',
    identifier: 'ENG-42',
    team: { id: 'team-1', key: 'ENG', name: 'Engineering' },
    ...data,
  },
  updatedFrom,
});

describe('what a Linear delivery asks of aidev', () => {
  it('starts work when the label is added or the issue is assigned to aidev', () => {
    expect(
      classifyLinearEvent(
        linearUpdate(
          { labels: [{ id: 'l-aidev', name: 'aidev' }], labelIds: ['l-aidev'] },
          { labelIds: [] },
        ),
        OPTIONS,
      ),
    ).toEqual({
      kind: 'start',
      issueKey: 'ENG-42',
      project: 'ENG',
      why: 'added the label aidev',
      by: 'Alice Jones',
      account: 'lin-user-alice',
    });
    expect(
      classifyLinearEvent(
        linearUpdate({ assigneeId: 'lin-user-aidev', labels: [] }, { assigneeId: null }),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'start', why: 'assigned it to aidev' });
  });

  it('stops when aidev is unassigned, and ignores an edit of something else', () => {
    expect(
      classifyLinearEvent(
        linearUpdate({ assigneeId: 'lin-user-bob', labels: [] }, { assigneeId: 'lin-user-aidev' }),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'stop', why: 'unassigned aidev' });
    expect(
      classifyLinearEvent(
        linearUpdate({ title: 'New title', labels: [] }, { title: 'Old' }),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('names the label ids a removal took away (Linear does not name them), and ignores an added one', () => {
    expect(
      classifyLinearEvent(
        linearUpdate(
          { labels: [{ id: 'l-bug', name: 'bug' }], labelIds: ['l-bug'] },
          { labelIds: ['l-bug', 'l-aidev'] },
        ),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'stop', removedLabelIds: ['l-aidev'] });
    expect(
      classifyLinearEvent(
        linearUpdate(
          { labels: [{ id: 'l-bug', name: 'bug' }], labelIds: ['l-bug'] },
          { labelIds: [] },
        ),
        OPTIONS,
      ),
    ).toMatchObject({ kind: 'ignored' });
  });

  it('takes a comment that mentions aidev as a follow-up', () => {
    expect(
      classifyLinearEvent(
        {
          action: 'create',
          type: 'Comment',
          data: {
            id: 'c-1',
            body: '@aidev also handle an empty cart',
            userId: 'lin-user-alice',
            user: { id: 'lin-user-alice', name: 'Alice Jones' },
            issue: { id: 'i-1', identifier: 'ENG-42', team: { key: 'ENG' } },
          },
        },
        OPTIONS,
      ),
    ).toEqual({
      kind: 'comment',
      issueKey: 'ENG-42',
      project: 'ENG',
      body: '@aidev also handle an empty cart',
      by: 'Alice Jones',
      account: 'lin-user-alice',
      commentId: 'c-1',
    });
  });
});
