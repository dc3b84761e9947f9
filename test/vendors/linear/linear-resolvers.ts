import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { matches } from './linear-filters.js';
import {
  COMMENT_FIELDS,
  connection,
  PROJECT_FIELDS,
  TEAM_FIELDS,
  type LinearModel,
} from './linear-model.js';

type Args = Record<string, unknown>;
type Input = Record<string, unknown>;

function payload(model: LinearModel, name: string, value: unknown) {
  return { success: true, lastSyncId: model.tick(), [name]: value };
}

function existing(list: readonly { id: string }[], id: unknown, what: string) {
  if (typeof id === 'string' && list.some((e) => e.id === id))
    throw new GraphQLError(`${what} with id ${id} already exists`, {
      extensions: { type: 'invalid input', code: 'INPUT_ERROR' },
    });
}

/** The root fields of Query and Mutation aidev's operations reach, over the model. */
export function rootResolvers(model: LinearModel): Record<string, (args: Args) => unknown> {
  return {
    viewer: () => model.viewer,
    issue: (args) => model.issueView(model.issue(args.id as string)),
    issues: (args) => {
      const all = model.issues
        .filter(model.issueFilter(args.filter as Input | undefined))
        .sort((a, b) => a.seq - b.seq);
      const after = args.after as string | undefined;
      const start =
        after === undefined || after === null ? 0 : all.findIndex((i) => i.id === after) + 1;
      const first = (args.first as number | undefined) ?? 50;
      const page = all.slice(start, start + first);
      const more = start + first < all.length;
      return connection(
        page.map((i) => model.issueView(i)),
        more,
        page.at(-1)?.id ?? null,
      );
    },
    teams: (args) =>
      connection(
        model.teams
          .filter((t) => matches(t, args.filter as Input | undefined, TEAM_FIELDS))
          .map((t) => model.teamView(t)),
      ),
    projects: (args) =>
      connection(
        model.projects
          .filter((p) => matches(p, args.filter as Input | undefined, PROJECT_FIELDS))
          .slice(0, (args.first as number | undefined) ?? 50)
          .map((p) => model.projectView(p)),
      ),
    comments: (args) =>
      connection(
        model.comments
          .filter((c) => matches(c, args.filter as Input | undefined, COMMENT_FIELDS))
          .map((c) => model.commentView(c)),
      ),

    issueCreate: (args) => {
      const input = args.input as Input;
      existing(model.issues, input.id, 'Issue');
      const team = model.teamById(input.teamId as string);
      const labelIds = (input.labelIds as string[] | undefined) ?? [];
      for (const id of labelIds)
        if (!team.labels.some((l) => l.id === id))
          throw new GraphQLError(`Entity not found: IssueLabel ${id}`);
      if (input.projectId != null && !model.projects.some((p) => p.id === input.projectId))
        throw new GraphQLError('Entity not found: Project', {
          extensions: {
            type: 'invalid input',
            userPresentableMessage: 'Could not find referenced Project.',
          },
        });
      const issue = {
        id: (input.id as string | undefined) ?? randomUUID(),
        teamId: team.id,
        number: team.nextNumber++,
        title: input.title as string,
        description: (input.description as string | undefined) ?? null,
        // A new issue starts in the team's first unstarted state, as Linear's default.
        stateId:
          (input.stateId as string | undefined) ??
          team.states.find((s) => s.type === 'unstarted')!.id,
        labelIds,
        projectId: (input.projectId as string | undefined) ?? null,
        priority: (input.priority as number | undefined) ?? 0,
        estimate: (input.estimate as number | undefined) ?? null,
        assignee: null,
        createdAt: new Date().toISOString(),
        seq: model.tick(),
      };
      model.issues.push(issue);
      return payload(model, 'issue', model.issueView(issue));
    },
    issueUpdate: (args) => {
      const issue = model.issue(args.id as string);
      const input = args.input as Input;
      if (typeof input.stateId === 'string') {
        if (!model.teamById(issue.teamId).states.some((s) => s.id === input.stateId))
          throw new GraphQLError('Entity not found: WorkflowState');
        issue.stateId = input.stateId;
      }
      return payload(model, 'issue', model.issueView(issue));
    },
    commentCreate: (args) => {
      const input = args.input as Input;
      existing(model.comments, input.id, 'Comment');
      const issue = model.issue(input.issueId as string);
      const comment = {
        id: (input.id as string | undefined) ?? randomUUID(),
        issueId: issue.id,
        body: input.body as string,
        seq: model.tick(),
      };
      model.comments.push(comment);
      return payload(model, 'comment', model.commentView(comment));
    },
    projectCreate: (args) => {
      const input = args.input as Input;
      existing(model.projects, input.id, 'Project');
      const teamIds = input.teamIds as string[];
      for (const id of teamIds) model.teamById(id);
      const project = {
        id: (input.id as string | undefined) ?? randomUUID(),
        name: input.name as string,
        content: (input.content as string | undefined) ?? null,
        teamIds,
      };
      model.projects.push(project);
      return payload(model, 'project', model.projectView(project));
    },
    issueLabelCreate: (args) => {
      const input = args.input as Input;
      const team = model.teamById(input.teamId as string);
      const label = model.label(team, input.name as string);
      return payload(model, 'issueLabel', label);
    },
    // Linear keeps one attachment per URL on an issue: creating it again updates it.
    attachmentCreate: (args) => {
      const input = args.input as Input;
      const issue = model.issue(input.issueId as string);
      let attachment = model.attachments.find((a) => a.issueId === issue.id && a.url === input.url);
      if (attachment === undefined) {
        attachment = {
          id: randomUUID(),
          issueId: issue.id,
          url: input.url as string,
          title: '',
          subtitle: null,
          metadata: {},
        };
        model.attachments.push(attachment);
      }
      attachment.title = input.title as string;
      attachment.subtitle = (input.subtitle as string | undefined) ?? null;
      attachment.metadata = (input.metadata as Record<string, unknown> | undefined) ?? {};
      return payload(model, 'attachment', { ...attachment });
    },
  };
}
