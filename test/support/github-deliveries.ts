import { randomUUID } from 'node:crypto';
import { githubSignature, webhookPayload } from '../vendors/github/webhook-payloads.js';

type Payload = Record<string, unknown>;
const at = (payload: Payload, ...keys: string[]) =>
  keys.reduce<Payload>((o, k) => o[k] as Payload, payload);

/** Where a delivery is about: a pull request of a repository on (the local) GitHub. */
export interface PullTarget {
  /** owner/name */
  readonly repository: string;
  readonly number: number;
}

const htmlOf = (repository: string) => `https://github.com/${repository}`;
const pullUrl = (t: PullTarget) => `${htmlOf(t.repository)}/pull/${t.number}`;
const user = (login: string, bot = false) => ({ login, type: bot ? 'Bot' : 'User' });

/** GitHub's examples predate `has_discussions`, which every repository object now carries. */
function onPull(payload: Payload, target: PullTarget): void {
  const pull = at(payload, 'pull_request');
  Object.assign(pull, { number: target.number, html_url: pullUrl(target) });
  for (const side of ['base', 'head'])
    Object.assign(at(pull, side, 'repo'), { has_discussions: false });
  Object.assign(at(payload, 'repository'), { html_url: htmlOf(target.repository) });
}

/** A submitted review (with GitHub's own review id: its line comments are listed by it). */
export function reviewSubmitted(
  target: PullTarget,
  review: {
    id: number;
    state: 'changes_requested' | 'commented' | 'approved';
    body: string;
    by: string;
  },
): Payload {
  return webhookPayload('pull_request_review', 'submitted', (p) => {
    onPull(p, target);
    Object.assign(at(p, 'review'), {
      id: review.id,
      state: review.state,
      body: review.body,
      user: { ...at(p, 'review', 'user'), ...user(review.by, review.by.endsWith('[bot]')) },
    });
  });
}

/** A comment on the pull request's conversation. */
export function pullComment(target: PullTarget, comment: { id: number; body: string; by: string }) {
  return webhookPayload('issue_comment', 'created', (p) => {
    Object.assign(at(p, 'issue'), {
      number: target.number,
      pull_request: {
        url: `https://api.github.com/repos/${target.repository}/pulls/${target.number}`,
        html_url: pullUrl(target),
        diff_url: `${pullUrl(target)}.diff`,
        patch_url: `${pullUrl(target)}.patch`,
        merged_at: null,
      },
    });
    Object.assign(at(p, 'repository'), { html_url: htmlOf(target.repository) });
    Object.assign(at(p, 'comment'), {
      id: comment.id,
      body: comment.body,
      user: { ...at(p, 'comment', 'user'), ...user(comment.by, comment.by.endsWith('[bot]')) },
    });
  });
}

/** A check run that completed on the pull request's head commit. */
export function checkRunCompleted(
  target: PullTarget,
  check: { id: number; name: string; headSha: string; conclusion: 'failure' | 'success' },
): Payload {
  return webhookPayload('check_run', 'completed', (p) => {
    const run = at(p, 'check_run');
    Object.assign(run, {
      id: check.id,
      name: check.name,
      head_sha: check.headSha,
      conclusion: check.conclusion,
      html_url: `${htmlOf(target.repository)}/runs/${check.id}`,
    });
    const pulls = run.pull_requests as Payload[];
    run.pull_requests = pulls.slice(0, 1).map((pull) => ({
      ...pull,
      number: target.number,
      head: { ...(pull.head as Payload), sha: check.headSha },
    }));
    Object.assign(at(p, 'repository'), { html_url: htmlOf(target.repository) });
  });
}

/** A pull request closed (merged or not). */
export function pullClosed(target: PullTarget, merged: boolean): Payload {
  return webhookPayload('pull_request', 'closed', (p) => {
    onPull(p, target);
    Object.assign(at(p, 'pull_request'), { merged, state: 'closed' });
  });
}

/** Sends a delivery to `/github/webhooks` signed as GitHub signs it; returns its id and answer. */
export async function deliver(
  baseUrl: string,
  secret: string,
  event: string,
  payload: Payload,
  id: string = randomUUID(),
): Promise<{ id: string; status: number; ms: number }> {
  const body = JSON.stringify(payload);
  const started = performance.now();
  const response = await fetch(`${baseUrl}/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/aidev-test',
      'x-github-event': event,
      'x-github-delivery': id,
      'x-hub-signature-256': githubSignature(secret, body),
    },
    body,
  });
  await response.arrayBuffer();
  return { id, status: response.status, ms: performance.now() - started };
}
