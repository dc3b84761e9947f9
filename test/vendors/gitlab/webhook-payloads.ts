/**
 * GitLab webhook payloads as GitLab sends them (the fields of the examples in GitLab's
 * webhook_events.md that aidev reads, with the ids and URLs of the local GitLab's objects).
 */
const project = (web: string) => ({
  id: 1,
  name: 'shop',
  web_url: `${web}/acme/shop`,
  path_with_namespace: 'acme/shop',
  default_branch: 'main',
});
const mergeRequest = (web: string, iid: number) => ({
  id: 100 + iid,
  iid,
  title: 'PROJ-1: Round totals',
  source_branch: 'aidev/PROJ-1',
  target_branch: 'main',
  state: 'opened',
  url: `${web}/acme/shop/-/merge_requests/${iid}`,
});
const person = (username: string, bot = false) => ({
  id: 42,
  name: username,
  username,
  avatar_url: null,
  ...(bot ? { bot: true } : {}),
});

/** A note on a merge request; `line` makes it a note on a line of the diff (`DiffNote`). */
export function noteHook(
  web: string,
  note: {
    id: number;
    iid: number;
    by: string;
    body: string;
    line?: { path: string; line: number };
    bot?: boolean;
  },
) {
  return {
    object_kind: 'note',
    event_type: 'note',
    user: person(note.by, note.bot),
    project_id: 1,
    project: project(web),
    object_attributes: {
      id: note.id,
      note: note.body,
      noteable_type: 'MergeRequest',
      author_id: 42,
      system: false,
      action: 'create',
      type: note.line === undefined ? null : 'DiffNote',
      url: `${web}/acme/shop/-/merge_requests/${note.iid}#note_${note.id}`,
      ...(note.line === undefined
        ? {}
        : {
            position: {
              position_type: 'text',
              old_path: note.line.path,
              new_path: note.line.path,
              old_line: null,
              new_line: note.line.line,
            },
          }),
    },
    merge_request: mergeRequest(web, note.iid),
  };
}

/** A pipeline that ended (`status`), of a merge request when `iid` is given. */
export function pipelineHook(
  web: string,
  pipeline: { id: number; sha: string; status: string; iid?: number },
) {
  return {
    object_kind: 'pipeline',
    object_attributes: {
      id: pipeline.id,
      iid: 7,
      ref: 'aidev/PROJ-1',
      tag: false,
      sha: pipeline.sha,
      status: pipeline.status,
      detailed_status: pipeline.status,
      source: pipeline.iid === undefined ? 'push' : 'merge_request_event',
      url: `${web}/acme/shop/-/pipelines/${pipeline.id}`,
    },
    merge_request: pipeline.iid === undefined ? null : mergeRequest(web, pipeline.iid),
    user: person('alice'),
    project: project(web),
    builds: [],
  };
}

/** A merge request event: `merge`, `close`, `update`, … */
export function mergeRequestHook(web: string, iid: number, action: string) {
  return {
    object_kind: 'merge_request',
    event_type: 'merge_request',
    user: person('alice'),
    project: project(web),
    object_attributes: { ...mergeRequest(web, iid), action },
  };
}
