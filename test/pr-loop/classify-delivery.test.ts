import { describe, expect, it } from 'vitest';
import { classifyDelivery, mentions } from '../../src/pr-loop/classify-delivery.js';
import { webhookPayload } from '../vendors/github/webhook-payloads.js';

const OPTIONS = {
  selfLogins: ['aidev-app[bot]'],
  mentions: ['aidev-app', 'aidev'],
  allowedBots: ['ci-helper[bot]'],
};
const PULL = 'https://github.com/Codertocat/Hello-World/pull/2';

type Payload = Record<string, unknown>;
const at = (payload: Payload, ...keys: string[]) =>
  keys.reduce<Payload>((o, k) => o[k] as Payload, payload);

/** GitHub's documented examples predate `has_discussions`, which repositories now carry. */
function withDiscussions(payload: Payload): void {
  for (const side of ['base', 'head'])
    Object.assign(at(payload, 'pull_request', side, 'repo'), { has_discussions: false });
}

const review = (state: string, body: string, user?: Payload) =>
  webhookPayload('pull_request_review', 'submitted', (p) => {
    withDiscussions(p);
    Object.assign(
      at(p, 'review'),
      { state, body },
      user === undefined ? {} : { user: { ...at(p, 'review', 'user'), ...user } },
    );
  });

describe('classifyDelivery', () => {
  it('takes a review that requests changes as feedback on its pull request', () => {
    const payload = review('changes_requested', 'Please handle an empty cart.');
    expect(classifyDelivery('pull_request_review', payload, OPTIONS)).toEqual({
      kind: 'feedback',
      pullUrls: [PULL],
      item: expect.objectContaining({
        type: 'review',
        state: 'changes_requested',
        author: 'Codertocat',
        body: 'Please handle an empty cart.',
        sourceId: `review:${at(payload, 'review').id as number}`,
      }) as unknown,
    });
  });

  it('takes a commenting review only when it mentions aidev, and never an approval', () => {
    expect(
      classifyDelivery('pull_request_review', review('commented', 'Looks fine'), OPTIONS),
    ).toEqual({
      kind: 'ignored',
      reason: 'a review that neither requests changes nor mentions aidev',
    });
    expect(
      classifyDelivery('pull_request_review', review('commented', '@aidev rename it'), OPTIONS)
        .kind,
    ).toBe('feedback');
    expect(
      classifyDelivery('pull_request_review', review('approved', '@aidev great'), OPTIONS),
    ).toEqual({
      kind: 'ignored',
      reason: 'an approving review',
    });
  });

  it('ignores its own reviews and other bots’, except allow-listed ones', () => {
    const own = review('changes_requested', 'x', { login: 'aidev-app[bot]', type: 'Bot' });
    expect(classifyDelivery('pull_request_review', own, OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'written by aidev itself (aidev-app[bot])',
    });
    const other = review('changes_requested', 'x', { login: 'renovate[bot]', type: 'Bot' });
    expect(classifyDelivery('pull_request_review', other, OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'written by another bot (renovate[bot]), which is not in the allow-list',
    });
    const allowed = review('changes_requested', 'x', { login: 'ci-helper[bot]', type: 'Bot' });
    expect(classifyDelivery('pull_request_review', allowed, OPTIONS).kind).toBe('feedback');
  });

  it('takes a review comment that mentions aidev with its file and line', () => {
    const payload = webhookPayload('pull_request_review_comment', 'created', (p) => {
      withDiscussions(p);
      Object.assign(at(p, 'comment'), {
        body: '@aidev-app this should round down',
        path: 'src/cart.ts',
        line: 12,
      });
    });
    const classified = classifyDelivery('pull_request_review_comment', payload, OPTIONS);
    expect(classified).toMatchObject({
      kind: 'feedback',
      pullUrls: [PULL],
      item: { type: 'comment', path: 'src/cart.ts', line: 12, inReview: true },
    });
  });

  it('takes a pull request comment that mentions aidev, and not one on a plain issue', () => {
    const onIssue = webhookPayload('issue_comment', 'created', (p) => {
      Object.assign(at(p, 'comment'), { body: '@aidev please' });
    });
    expect(classifyDelivery('issue_comment', onIssue, OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'a comment on an issue, not a pull request',
    });
    const onPull = webhookPayload('issue_comment', 'created', (p) => {
      Object.assign(at(p, 'comment'), { body: 'also handle an empty cart, @aidev' });
      Object.assign(at(p, 'issue'), {
        pull_request: {
          url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2',
          html_url: PULL,
          diff_url: `${PULL}.diff`,
          patch_url: `${PULL}.patch`,
          merged_at: null,
        },
      });
    });
    expect(classifyDelivery('issue_comment', onPull, OPTIONS)).toMatchObject({
      kind: 'feedback',
      pullUrls: [PULL],
      item: { type: 'comment', inReview: false, body: 'also handle an empty cart, @aidev' },
    });
  });

  it('takes a failed check suite on a pull request’s head commit, once per commit', () => {
    const failed = webhookPayload('check_suite', 'completed', (p) => {
      Object.assign(at(p, 'check_suite'), { conclusion: 'failure' });
    });
    const sha = at(failed, 'check_suite').head_sha as string;
    expect(classifyDelivery('check_suite', failed, OPTIONS)).toMatchObject({
      kind: 'feedback',
      pullUrls: [PULL],
      item: {
        type: 'failing_check',
        sourceId: `check:${sha}`,
        conclusion: 'failure',
        headSha: sha,
      },
    });
    const passed = webhookPayload('check_suite', 'completed');
    expect(classifyDelivery('check_suite', passed, OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'a check suite that ended success',
    });
  });

  it('ends the loop when the pull request is merged or closed', () => {
    const closed = webhookPayload('pull_request', 'closed');
    expect(classifyDelivery('pull_request', closed, OPTIONS)).toEqual({
      kind: 'closed',
      pullUrl: at(closed, 'pull_request').html_url,
      merged: at(closed, 'pull_request').merged === true,
    });
  });

  it('ignores the events it does not act on, saying which', () => {
    expect(classifyDelivery('ping', webhookPayload('ping', undefined), OPTIONS)).toEqual({
      kind: 'ignored',
      reason: 'aidev does not act on ping events',
    });
  });
});

describe('mentions', () => {
  it('finds @name as a word, in any case, and not inside other names or addresses', () => {
    expect(mentions('@aidev fix it', ['aidev'])).toBe(true);
    expect(mentions('thanks, @AIDEV.', ['aidev'])).toBe(true);
    expect(mentions('(@aidev)', ['aidev'])).toBe(true);
    expect(mentions('@aidev-bot2 fix it', ['aidev'])).toBe(false);
    expect(mentions('mail me at ops@aidev.io', ['aidev'])).toBe(false);
    expect(mentions('see github.com/@aidev', ['aidev'])).toBe(false);
    expect(mentions('aidev fix it', ['aidev'])).toBe(false);
    expect(mentions('@a.b', ['a.b'])).toBe(true);
    expect(mentions('@axb', ['a.b'])).toBe(false);
  });
});
