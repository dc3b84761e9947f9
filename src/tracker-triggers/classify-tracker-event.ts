/**
 * What a tracker's webhook delivery means for aidev: start work on an issue (the trigger label
 * was added, the issue was assigned to aidev's account, a comment says `/aidev implement`),
 * stop work that has not passed its approval (the label removed, the issue unassigned), a
 * comment that mentions aidev (a follow-up on finished work), or nothing — with the reason.
 * Pure: which channel the project maps to and what runs exist are decided by the caller.
 */

export type TrackerSource = 'jira' | 'linear';

export interface TriggerOptions {
  /** The label that asks aidev to implement an issue (`tracker_triggers.label`). */
  readonly label: string;
  /** aidev's own accounts on the tracker (Jira account ids, Linear user ids). */
  readonly botAccounts: readonly string[];
  /** Names that call aidev in a comment, without the `@`. */
  readonly mentions: readonly string[];
}

export type TrackerSignal =
  | { readonly kind: 'ignored'; readonly reason: string }
  | ({ readonly kind: 'start' } & Change)
  | ({
      readonly kind: 'stop';
      /**
       * Linear says which label ids an issue had, not their names: the ids a label removal took
       * away, for the caller to check that one of them is the trigger label (see TrackerTriggers).
       */
      readonly removedLabelIds?: readonly string[];
    } & Change)
  | ({
      readonly kind: 'comment';
      readonly body: string;
      readonly commentId: string;
    } & Omit<Change, 'why'>);

/** An issue's label or assignee changed, or a comment asked for work. */
interface Change {
  readonly issueKey: string;
  readonly project: string;
  /** What the person did, in words: "added the label aidev", "assigned it to aidev". */
  readonly why: string;
  readonly by: string;
  /** Whose change (or comment) it was: their tracker account ('' when none is named). */
  readonly account: string;
}

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : {};
const str = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const ignored = (reason: string): TrackerSignal => ({ kind: 'ignored', reason });
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** `/aidev implement` at the start of a comment (after mentions and blank space). */
const COMMAND = /^\s*(?:(?:\[~[^\]]*\]|@\S+)\s*)*\/aidev\s+implement\b/i;

/** Whether `body` calls aidev: `@name`, or a Jira mention of one of its accounts. */
function mentionsAidev(body: string, options: TriggerOptions): boolean {
  const names = options.mentions.some((name) => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\w@./-])@${escaped}(?![\\w-])`, 'i').test(body);
  });
  return (
    names ||
    options.botAccounts.some(
      (id) => body.includes(`[~accountid:${id}]`) || body.includes(`[~${id}]`),
    )
  );
}

/** A comment: a command starts work, a mention is a follow-up, anything else is talk. */
function commentSignal(
  issueKey: string,
  project: string,
  comment: { body: string; by: string; byAccount: string; id: string },
  options: TriggerOptions,
): TrackerSignal {
  if (options.botAccounts.some((id) => same(id, comment.byAccount)))
    return ignored('a comment aidev wrote itself');
  if (COMMAND.test(comment.body))
    return {
      kind: 'start',
      issueKey,
      project,
      why: 'asked /aidev implement',
      by: comment.by,
      account: comment.byAccount,
    };
  if (mentionsAidev(comment.body, options))
    return {
      kind: 'comment',
      issueKey,
      project,
      body: comment.body,
      by: comment.by,
      account: comment.byAccount,
      commentId: comment.id,
    };
  return ignored('a comment that neither mentions aidev nor says /aidev implement');
}

/**
 * A Jira webhook: `jira:issue_created`, `jira:issue_updated` (with its changelog) or
 * `comment_created`, as Jira Cloud and Data Center send them.
 */
export function classifyJiraEvent(payload: Obj, options: TriggerOptions): TrackerSignal {
  const event = str(payload.webhookEvent);
  const issue = obj(payload.issue);
  const issueKey = str(issue.key);
  const fields = obj(issue.fields);
  const project = str(obj(fields.project).key) || issueKey.replace(/-\d+$/, '');
  const user = obj(payload.user);
  const by = str(user.displayName) || str(user.name) || str(user.accountId) || 'someone';
  const account = str(user.accountId) || str(user.name);
  if (issueKey === '') return ignored(`a ${event || 'Jira event'} about no issue`);
  switch (event) {
    case 'comment_created': {
      const comment = obj(payload.comment);
      const author = obj(comment.author);
      return commentSignal(
        issueKey,
        project,
        {
          body: str(comment.body),
          by: str(author.displayName) || str(author.name) || 'someone',
          byAccount: str(author.accountId) || str(author.name),
          id: str(comment.id),
        },
        options,
      );
    }
    case 'jira:issue_created': {
      const labels = list(fields.labels).map(str);
      if (labels.some((l) => same(l, options.label)))
        return {
          kind: 'start',
          issueKey,
          project,
          why: `created it with the label ${options.label}`,
          by,
          account,
        };
      const assignee = obj(fields.assignee);
      const assigned = str(assignee.accountId) || str(assignee.name);
      if (assigned !== '' && options.botAccounts.some((id) => same(id, assigned)))
        return {
          kind: 'start',
          issueKey,
          project,
          why: 'created it assigned to aidev',
          by,
          account,
        };
      return ignored('an issue created without the label or the assignment');
    }
    case 'jira:issue_updated':
      return changelogSignal(issueKey, project, { by, account }, obj(payload.changelog), options);
    default:
      return ignored(`aidev does not act on ${event || 'this'} events`);
  }
}

/** The label or the assignee changed, as Jira's changelog items say (from → to). */
function changelogSignal(
  issueKey: string,
  project: string,
  who: { by: string; account: string },
  changelog: Obj,
  options: TriggerOptions,
): TrackerSignal {
  const change = (kind: 'start' | 'stop', why: string): TrackerSignal => ({
    kind,
    issueKey,
    project,
    why,
    ...who,
  });
  for (const item of list(changelog.items).map(obj)) {
    const field = str(item.field).toLowerCase();
    if (field === 'labels') {
      const words = (text: string) => text.split(/\s+/).filter((w) => w !== '');
      const had = words(str(item.fromString)).some((l) => same(l, options.label));
      // `toString` is Jira's field name, and also every object's method: read it as data only.
      const to = Object.entries(item).find(([key]) => key === 'toString')?.[1];
      const has = words(str(to)).some((l) => same(l, options.label));
      if (!had && has) return change('start', `added the label ${options.label}`);
      if (had && !has) return change('stop', `removed the label ${options.label}`);
    }
    if (field === 'assignee') {
      const isBot = (id: string) => id !== '' && options.botAccounts.some((b) => same(b, id));
      // Cloud names accounts by id (`from`/`to`); Data Center by user name.
      if (isBot(str(item.to))) return change('start', 'assigned it to aidev');
      if (isBot(str(item.from))) return change('stop', 'unassigned aidev');
    }
  }
  return ignored('an update that changed neither the label nor the assignment to aidev');
}

/** A Linear webhook: `Issue` create/update (with `updatedFrom`) or `Comment` create. */
export function classifyLinearEvent(payload: Obj, options: TriggerOptions): TrackerSignal {
  const type = str(payload.type);
  const action = str(payload.action);
  const data = obj(payload.data);
  const actor = obj(payload.actor);
  const by = str(actor.name) || str(actor.id) || 'someone';
  const account = str(actor.id);
  if (type === 'Comment') {
    if (action !== 'create') return ignored(`a comment ${action}`);
    const issue = obj(data.issue);
    const issueKey = str(issue.identifier);
    if (issueKey === '') return ignored('a comment on no issue');
    const user = obj(data.user);
    return commentSignal(
      issueKey,
      str(obj(issue.team).key) || issueKey.replace(/-\d+$/, ''),
      {
        body: str(data.body),
        by: str(user.name) || by,
        byAccount: str(data.userId) || str(user.id),
        id: str(data.id),
      },
      options,
    );
  }
  if (type !== 'Issue') return ignored(`aidev does not act on ${type || 'this'} events`);
  const issueKey = str(data.identifier);
  const project = str(obj(data.team).key) || issueKey.replace(/-\d+$/, '');
  if (issueKey === '') return ignored('an issue event without the issue’s identifier');
  const labelled = (labels: unknown) =>
    list(labels).some((l) => same(str(obj(l).name), options.label));
  const isBot = (id: string) => id !== '' && options.botAccounts.some((b) => same(b, id));
  const assignee = str(data.assigneeId);
  if (action === 'create') {
    if (labelled(data.labels))
      return {
        kind: 'start',
        issueKey,
        project,
        why: `created it with the label ${options.label}`,
        by,
        account,
      };
    if (isBot(assignee))
      return { kind: 'start', issueKey, project, why: 'created it assigned to aidev', by, account };
    return ignored('an issue created without the label or the assignment');
  }
  if (action !== 'update') return ignored(`an issue ${action}`);
  const before = obj(payload.updatedFrom);
  if ('labelIds' in before) {
    // `updatedFrom` holds the old label ids; the label's id is found among the new labels.
    const label = list(data.labels)
      .map(obj)
      .find((l) => same(str(l.name), options.label));
    const had = label !== undefined && list(before.labelIds).map(str).includes(str(label.id));
    if (label !== undefined && !had)
      return {
        kind: 'start',
        issueKey,
        project,
        why: `added the label ${options.label}`,
        by,
        account,
      };
    const now = new Set(list(data.labelIds).map(str));
    const removedLabelIds = list(before.labelIds)
      .map(str)
      .filter((id) => id !== '' && !now.has(id));
    if (label === undefined && removedLabelIds.length > 0)
      return {
        kind: 'stop',
        issueKey,
        project,
        why: `removed the label ${options.label}`,
        by,
        account,
        removedLabelIds,
      };
  }
  if ('assigneeId' in before) {
    if (isBot(assignee))
      return { kind: 'start', issueKey, project, why: 'assigned it to aidev', by, account };
    if (isBot(str(before.assigneeId)))
      return { kind: 'stop', issueKey, project, why: 'unassigned aidev', by, account };
  }
  return ignored('an update that changed neither the label nor the assignment to aidev');
}
