import {
  RawBody,
  VendorHttpError,
  type Handler,
  type HandlerRequest,
} from '../kit/vendor-server.js';
import type { GitLabServer } from './gitlab-server.js';
import { gitlabError } from './gitlab-json.js';
import { paginated } from './gitlab-pagination.js';
import { askForReview, type MergeRequest, type Project } from './gitlab-state.js';

const fail = (status: number, message: string): never => {
  throw new VendorHttpError(status, gitlabError(status, message));
};
const asList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string' && value !== ''
      ? value.split(',')
      : [];

/**
 * The REST endpoints aidev calls, as GitLab answers them. Every request must carry the
 * server's token as PRIVATE-TOKEN (401 otherwise); projects are found by numeric id or
 * URL-encoded path, as GitLab does.
 */
export function gitlabHandlers(server: () => GitLabServer): Record<string, Handler> {
  const authorized =
    (handler: Handler): Handler =>
    (request) => {
      if (request.headers['private-token'] !== server().token) fail(401, '401 Unauthorized');
      return handler(request);
    };
  const projectOf = (r: HandlerRequest): Project =>
    server().project(decodeURIComponent(r.params.id ?? '')) ?? fail(404, '404 Project Not Found');
  const mergeRequestOf = (r: HandlerRequest): [Project, MergeRequest] => {
    const project = projectOf(r);
    const mr = project.mergeRequests.find((m) => m.iid === Number(r.params.merge_request_iid));
    return [project, mr ?? fail(404, '404 Not found')];
  };
  const json = () => server().json;
  const mrJson = async (project: Project, mr: MergeRequest) =>
    json().mergeRequest(
      project,
      mr,
      mr.reviewerIds.map((id) => server().userById(id)).filter((u) => u !== undefined),
      (await project.repository.refSha(`heads/${mr.sourceBranch}`)) ?? null,
    );
  const commitOf = async (project: Project, ref: string) => {
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : await project.repository.refSha(`heads/${ref}`);
    const commit = sha === undefined ? undefined : await project.repository.commit(sha);
    return commit ?? fail(404, '404 Commit Not Found');
  };
  const newNote = (body: unknown, type: 'DiscussionNote' | null) => {
    const text = (body as { body?: string }).body ?? '';
    return server().note({ body: text, author: server().tokenUser, type });
  };

  /**
   * A note of quick actions only is not kept: GitLab runs them and answers 202 with what they
   * changed (notes.rb, Entities::NoteCommands). The local GitLab knows `/request_review
   * @user…`: "Assigns or requests a new review from one or more users" (quick_actions.md).
   */
  const requestReview = (project: Project, mr: MergeRequest, commands: string[]) => {
    const names: string[] = [];
    for (const command of commands) {
      const [verb = '', ...args] = command.trim().split(/\s+/);
      if (verb !== '/request_review') fail(400, `the local GitLab does not know ${verb}`);
      names.push(...args.map((a) => a.replace(/^@/, '')));
    }
    const ids = names
      .map((name) => server().userByName(name)?.id)
      .filter((id): id is number => id !== undefined && project.members.has(id));
    askForReview(mr, ids);
    return {
      status: 202,
      body: {
        commands_changes: { reviewer_ids: mr.reviewerIds },
        summary: [`Requested a review from ${names.map((n) => `@${n}`).join(' ')}.`],
      },
    };
  };

  const handlers: Record<string, Handler> = {
    getApiV4User: () => ({ body: json().user(server().tokenUser) }),
    getApiV4Users: (r) => {
      const user = server().userByName(String(r.query.username ?? ''));
      return { body: user === undefined ? [] : [json().user(user)] };
    },
    getApiV4ProjectsId: (r) => ({ body: json().project(projectOf(r)) }),
    async postApiV4ProjectsIdRepositoryBranches(r) {
      const project = projectOf(r);
      const { branch, ref } = r.body as { branch: string; ref: string };
      if ((await project.repository.refSha(`heads/${branch}`)) !== undefined)
        fail(400, 'Branch already exists');
      const commit = await commitOf(project, ref).catch(() =>
        fail(400, 'Invalid reference name: ' + ref),
      );
      await project.repository.git(['update-ref', `refs/heads/${branch}`, commit.sha]);
      return { status: 201, body: json().branch(project, branch, commit) };
    },
    async deleteApiV4ProjectsIdRepositoryBranchesBranch(r) {
      const project = projectOf(r);
      const branch = decodeURIComponent(r.params.branch ?? '');
      if ((await project.repository.refSha(`heads/${branch}`)) === undefined)
        fail(404, '404 Branch Not Found');
      await project.repository.git(['update-ref', '-d', `refs/heads/${branch}`]);
      return { status: 204 };
    },
    async getApiV4ProjectsIdRepositoryCommitsSha(r) {
      const project = projectOf(r);
      return {
        body: json().commit(
          project,
          await commitOf(project, decodeURIComponent(r.params.sha ?? '')),
        ),
      };
    },
    async getApiV4ProjectsIdRepositoryCommitsShaStatuses(r) {
      const project = projectOf(r);
      const commit = await commitOf(project, decodeURIComponent(r.params.sha ?? ''));
      // The latest status of each name (GitLab's default, `all=false`).
      const latest = new Map<string, Project['statuses'][number]>();
      for (const status of project.statuses.filter((s) => s.sha === commit.sha))
        latest.set(status.name, status);
      return paginated(
        server().url,
        r,
        [...latest.values()].map((s) => json().status(s)),
      );
    },
    async getApiV4ProjectsIdRepositoryFilesFilePathRaw(r) {
      const project = projectOf(r);
      const ref = String(r.query.ref ?? project.repository.defaultBranch);
      const file = decodeURIComponent(r.params.file_path ?? '');
      const entry = await project.repository.entry(ref, file);
      if (entry?.type !== 'blob') fail(404, '404 File Not Found');
      const object = await project.repository.object(entry?.sha ?? '');
      return { body: new RawBody(object?.content ?? Buffer.of()) };
    },
    getApiV4ProjectsIdMembersAllUserId(r) {
      const project = projectOf(r);
      const user = server().userById(Number(r.params.user_id));
      const level = project.members.get(Number(r.params.user_id));
      if (user === undefined || level === undefined) fail(404, '404 Not found');
      return { body: { ...json().user(user as NonNullable<typeof user>), access_level: level } };
    },
    async getApiV4ProjectsIdMergeRequests(r) {
      const project = projectOf(r);
      const state = String(r.query.state ?? 'all');
      const source = r.query.source_branch;
      const found = project.mergeRequests
        .filter((m) => state === 'all' || m.state === state)
        .filter((m) => source === undefined || m.sourceBranch === source)
        .sort((a, b) => b.iid - a.iid);
      return paginated(server().url, r, await Promise.all(found.map((m) => mrJson(project, m))));
    },
    async postApiV4ProjectsIdMergeRequests(r) {
      const project = projectOf(r);
      const body = r.body as Record<string, unknown>;
      const source = String(body.source_branch);
      if ((await project.repository.refSha(`heads/${source}`)) === undefined)
        fail(400, 'Invalid source branch');
      const open = project.mergeRequests.find(
        (m) => m.sourceBranch === source && m.state === 'opened',
      );
      if (open !== undefined)
        fail(409, `Another open merge request already exists for this source branch: !${open.iid}`);
      const mr = server().addMergeRequest(project, {
        title: String(body.title),
        description: typeof body.description === 'string' ? body.description : null,
        sourceBranch: source,
        targetBranch: String(body.target_branch),
        labels: asList(body.labels),
        reviewerIds: (body.reviewer_ids as number[] | undefined) ?? [],
      });
      return { status: 201, body: await mrJson(project, mr) };
    },
    async getApiV4ProjectsIdMergeRequestsMergeRequestIid(r) {
      const [project, mr] = mergeRequestOf(r);
      return { body: await mrJson(project, mr) };
    },
    getApiV4ProjectsIdMergeRequestsMergeRequestIidReviewers(r) {
      const [, mr] = mergeRequestOf(r);
      return {
        body: mr.reviewerIds.flatMap((id) => {
          const user = server().userById(id);
          const review = mr.reviewerStates.get(id);
          if (user === undefined || review === undefined) return [];
          return [{ user: json().user(user), state: review.state, created_at: review.createdAt }];
        }),
      };
    },
    async putApiV4ProjectsIdMergeRequestsMergeRequestIid(r) {
      const [project, mr] = mergeRequestOf(r);
      const body = r.body as Record<string, unknown>;
      if (body.state_event === 'close') mr.state = 'closed';
      if (body.state_event === 'reopen') mr.state = 'opened';
      if (typeof body.title === 'string') mr.title = body.title;
      if (typeof body.description === 'string') mr.description = body.description;
      if (body.labels !== undefined) mr.labels = asList(body.labels);
      if (Array.isArray(body.reviewer_ids)) {
        const ids = (body.reviewer_ids as number[]).filter((id) => project.members.has(id));
        // GitLab asks the reviewers it adds for a review; those already on the list, nothing.
        const added = ids.filter((id) => !mr.reviewerIds.includes(id));
        for (const id of mr.reviewerIds) if (!ids.includes(id)) mr.reviewerStates.delete(id);
        mr.reviewerIds = mr.reviewerIds.filter((id) => ids.includes(id));
        askForReview(mr, added);
      }
      return { body: await mrJson(project, mr) };
    },
    getApiV4ProjectsIdMergeRequestsMergeRequestIidDiscussions(r) {
      const [, mr] = mergeRequestOf(r);
      return paginated(
        server().url,
        r,
        mr.discussions.map((d) => json().discussion(d)),
      );
    },
    postApiV4ProjectsIdMergeRequestsMergeRequestIidNotes(r) {
      const [project, mr] = mergeRequestOf(r);
      const commands = quickActionsOnly(r.body);
      if (commands !== undefined) return requestReview(project, mr, commands);
      const note = newNote(r.body, null);
      mr.discussions.push({ id: server().discussionId(), individualNote: true, notes: [note] });
      return { status: 201, body: json().note(note) };
    },
    postApiV4ProjectsIdMergeRequestsMergeRequestIidDiscussionsDiscussionIdNotes(r) {
      const [, mr] = mergeRequestOf(r);
      const thread = mr.discussions.find((d) => d.id === r.params.discussion_id);
      if (thread === undefined || thread.individualNote) fail(404, '404 Discussion Not Found');
      const note = newNote(r.body, 'DiscussionNote');
      thread?.notes.push(note);
      return { status: 201, body: json().note(note) };
    },
    getApiV4ProjectsIdJobsJobId(r) {
      const project = projectOf(r);
      const job = project.statuses.find(
        (s) => s.id === Number(r.params.job_id) && s.job !== undefined,
      );
      return { body: json().job(project, job ?? fail(404, '404 Job Not Found')) };
    },
    getApiV4ProjectsIdJobsJobIdTrace(r) {
      const project = projectOf(r);
      const job = project.statuses.find(
        (s) => s.id === Number(r.params.job_id) && s.job !== undefined,
      );
      const log = job?.job?.log ?? fail(404, '404 Job Not Found');
      return { body: new RawBody(log) };
    },
  };
  return Object.fromEntries(Object.entries(handlers).map(([id, h]) => [id, authorized(h)]));
}

/** The lines of a note's body when every one is a quick action (`/command …`), else undefined. */
function quickActionsOnly(body: unknown): string[] | undefined {
  const text = (body as { body?: unknown }).body;
  if (typeof text !== 'string') return undefined;
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length > 0 && lines.every((line) => line.startsWith('/')) ? lines : undefined;
}
