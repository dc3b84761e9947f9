import { mentions, type ClassifyOptions, type Classified } from './classify-delivery.js';

/**
 * What a GitLab webhook delivery means for the merge requests aidev opened, in the terms the
 * loop already acts on for GitHub (classify-delivery.ts): a note that calls aidev is a comment
 * (a note on a line of the diff, `DiffNote`, comes with its file and line and is answered in
 * its thread), a failed pipeline of a merge request is a failing check on its head commit, a
 * merge request closed or merged ends the loop. Pure: whether the author may ask is decided by
 * the caller, as for GitHub. Merge requests are named by their web URL, the `pr_url` aidev
 * recorded when it opened them.
 */

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;
const ignored = (reason: string): Classified => ({ kind: 'ignored', reason });

/** X-Gitlab-Event values aidev acts on. */
export const GITLAB_EVENTS = ['Note Hook', 'Merge Request Hook', 'Pipeline Hook'] as const;

export function classifyGitLabDelivery(
  event: string,
  payload: Obj,
  options: ClassifyOptions,
): Classified {
  switch (event) {
    case 'Note Hook':
      return noteEvent(payload, options);
    case 'Merge Request Hook':
      return mergeRequestEvent(payload);
    case 'Pipeline Hook':
      return pipelineEvent(payload);
    default:
      return ignored(`aidev does not act on ${event} events`);
  }
}

function mergeRequestEvent(payload: Obj): Classified {
  const attributes = obj(payload.object_attributes);
  const action = str(attributes.action);
  if (action !== 'close' && action !== 'merge')
    return ignored(`a merge request ${action || 'event'}`);
  return { kind: 'closed', pullUrl: str(attributes.url), merged: action === 'merge' };
}

/** aidev itself and bots not on the allow-list do not count (GitLab marks bots `bot`). */
function authorOf(user: Obj, options: ClassifyOptions): { login: string } | { reason: string } {
  const login = str(user.username);
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (options.selfLogins.some((self) => same(self, login)))
    return { reason: `written by aidev itself (${login})` };
  const bot = user.bot === true || /^(project|group)_\d+_bot/.test(login);
  if (bot && !options.allowedBots.some((allowed) => same(allowed, login)))
    return { reason: `written by another bot (${login}), which is not in the allow-list` };
  return { login };
}

function noteEvent(payload: Obj, options: ClassifyOptions): Classified {
  const note = obj(payload.object_attributes);
  if (str(note.noteable_type) !== 'MergeRequest')
    return ignored(`a note on a ${str(note.noteable_type) || 'thing'}, not a merge request`);
  // GitLab sends a Note Hook when a note is created, and (16.x and later) when one is edited.
  const action = str(note.action);
  if (action !== '' && action !== 'create') return ignored(`a note ${action}`);
  if (note.system === true) return ignored('a system note');
  const author = authorOf(obj(payload.user), options);
  if ('reason' in author) return ignored(author.reason);
  const body = str(note.note);
  if (!mentions(body, options.mentions)) return ignored('a note that does not mention aidev');
  const position = obj(note.position);
  const path = str(position.new_path) || str(position.old_path);
  const line = num(position.new_line) ?? num(position.old_line);
  const commentId = num(note.id) ?? 0;
  return {
    kind: 'feedback',
    pullUrls: [str(obj(payload.merge_request).url)],
    item: {
      type: 'comment',
      sourceId: `comment:${commentId}`,
      author: author.login,
      body,
      ...(path === '' ? {} : { path }),
      ...(line === undefined ? {} : { line }),
      commentId,
      inReview: str(note.type) === 'DiffNote',
      url: str(note.url),
    },
  };
}

/**
 * A failed pipeline of a merge request. GitLab names the merge request in the payload for
 * merge request pipelines; a branch pipeline names none and is left to the merge request's own
 * pipeline (or to `get_failing_checks` when a round starts).
 */
function pipelineEvent(payload: Obj): Classified {
  const pipeline = obj(payload.object_attributes);
  const status = str(pipeline.status);
  if (status !== 'failed') return ignored(`a pipeline ${status || 'event'}`);
  const mr = obj(payload.merge_request);
  const url = str(mr.url);
  if (url === '') return ignored('a failed pipeline of a branch, not of a merge request');
  const headSha = str(pipeline.sha);
  return {
    kind: 'feedback',
    pullUrls: [url],
    item: {
      type: 'failing_check',
      sourceId: `check:${headSha}`,
      name: `pipeline #${num(pipeline.id) ?? '?'}`,
      conclusion: 'failure',
      headSha,
      url: str(pipeline.url),
    },
  };
}
