import { describe, expect, it } from 'vitest';
import { classifyGitLabDelivery } from '../../src/pr-loop/classify-gitlab-delivery.js';
import { mergeRequestHook, noteHook, pipelineHook } from '../vendors/gitlab/webhook-payloads.js';

const WEB = 'https://gitlab.example.com';
const MR = `${WEB}/acme/shop/-/merge_requests/1`;
const options = { selfLogins: ['aidev-bot'], mentions: ['aidev', 'aidev-bot'], allowedBots: [] };
const classify = (event: string, payload: object) =>
  classifyGitLabDelivery(event, payload as Record<string, unknown>, options);

describe('what a GitLab delivery means for the merge requests aidev opened', () => {
  it('a note on a line that calls aidev is a comment to answer in its thread, with its file and line', () => {
    const payload = noteHook(WEB, {
      id: 1001,
      iid: 1,
      by: 'alice',
      body: '@aidev refuse a negative quantity',
      line: { path: 'src/cart.ts', line: 13 },
    });
    expect(classify('Note Hook', payload)).toEqual({
      kind: 'feedback',
      pullUrls: [MR],
      item: {
        type: 'comment',
        sourceId: 'comment:1001',
        author: 'alice',
        body: '@aidev refuse a negative quantity',
        path: 'src/cart.ts',
        line: 13,
        commentId: 1001,
        inReview: true,
        url: `${MR}#note_1001`,
      },
    });
  });

  it('ignores notes that do not call aidev, its own, other bots’ and notes elsewhere, saying why', () => {
    const note = (by: string, body: string, bot = false) =>
      classify('Note Hook', noteHook(WEB, { id: 5, iid: 1, by, body, bot }));
    expect(note('alice', 'looks good')).toEqual({
      kind: 'ignored',
      reason: 'a note that does not mention aidev',
    });
    expect(note('aidev-bot', '@aidev done')).toMatchObject({
      reason: 'written by aidev itself (aidev-bot)',
    });
    expect(note('renovate', '@aidev rebase', true)).toMatchObject({ kind: 'ignored' });
    const onIssue = noteHook(WEB, { id: 6, iid: 1, by: 'alice', body: '@aidev' });
    onIssue.object_attributes.noteable_type = 'Issue';
    expect(classify('Note Hook', onIssue)).toMatchObject({ kind: 'ignored' });
  });

  it('a failed merge request pipeline is a failing check on its commit; a branch pipeline or a success is not', () => {
    const sha = 'a'.repeat(40);
    expect(
      classify('Pipeline Hook', pipelineHook(WEB, { id: 77, sha, status: 'failed', iid: 1 })),
    ).toEqual({
      kind: 'feedback',
      pullUrls: [MR],
      item: {
        type: 'failing_check',
        sourceId: `check:${sha}`,
        name: 'pipeline #77',
        conclusion: 'failure',
        headSha: sha,
        url: `${WEB}/acme/shop/-/pipelines/77`,
      },
    });
    expect(
      classify('Pipeline Hook', pipelineHook(WEB, { id: 78, sha, status: 'success', iid: 1 })),
    ).toMatchObject({ kind: 'ignored' });
    expect(classify('Pipeline Hook', pipelineHook(WEB, { id: 79, sha, status: 'failed' }))).toEqual(
      {
        kind: 'ignored',
        reason: 'a failed pipeline of a branch, not of a merge request',
      },
    );
  });

  it('a merge request merged or closed ends its loop; other events are ignored', () => {
    expect(classify('Merge Request Hook', mergeRequestHook(WEB, 1, 'merge'))).toEqual({
      kind: 'closed',
      pullUrl: MR,
      merged: true,
    });
    expect(classify('Merge Request Hook', mergeRequestHook(WEB, 1, 'close'))).toMatchObject({
      merged: false,
    });
    expect(classify('Merge Request Hook', mergeRequestHook(WEB, 1, 'update'))).toMatchObject({
      kind: 'ignored',
    });
    expect(classify('Push Hook', {})).toEqual({
      kind: 'ignored',
      reason: 'aidev does not act on Push Hook events',
    });
  });
});
