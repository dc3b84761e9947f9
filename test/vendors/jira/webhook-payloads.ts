import { createHmac } from 'node:crypto';
import { OpenAPIBackend, type Document } from 'openapi-backend';
import { addNoOpFormats, jiraDescription } from '../kit/descriptions.js';
import { jiraTime } from './jira-model.js';

/**
 * Jira webhook deliveries as Atlassian documents them ("Webhooks", Jira Cloud platform): an
 * envelope of `timestamp` (ms), `webhookEvent`, `issue_event_type_name`, `user`, and the objects
 * of the event (`issue`, `changelog`, `comment`), which have the shapes of the REST API's
 * IssueBean, Changelog, Comment and UserDetails in Jira's published OpenAPI description.
 * {@link jiraWebhookProblems} checks a payload against exactly that.
 */

const SITE = 'https://your-company.atlassian.net';

type Json = Record<string, unknown>;

/** A user as the REST API (and so a webhook) shows one. */
export function jiraUser(displayName: string, accountId: string): Json {
  return {
    self: `${SITE}/rest/api/2/user?accountId=${accountId}`,
    accountId,
    avatarUrls: Object.fromEntries(
      ['48x48', '24x24', '16x16', '32x32'].map((size) => [
        size,
        `https://avatar-management.example/${accountId}/${size}`,
      ]),
    ),
    displayName,
    active: true,
    timeZone: 'Europe/Paris',
    accountType: 'atlassian',
  };
}

export const ALICE = jiraUser('Alice Martin', '5b10ac8d82e05b22cc7d4ef5');
export const AIDEV_BOT = jiraUser('aidev', '712020:0b7ac9f5-aidev-bot');

export interface IssueShape {
  readonly id?: string;
  readonly key?: string;
  readonly summary?: string;
  readonly labels?: readonly string[];
  readonly assignee?: Json | null;
}

/** An issue as a webhook carries it: its fields rendered as REST v2 renders them. */
export function jiraIssue(shape: IssueShape = {}): Json {
  const id = shape.id ?? '10042';
  return {
    id,
    self: `${SITE}/rest/api/2/${id}`,
    key: shape.key ?? 'ENG-42',
    fields: {
      summary: shape.summary ?? 'Export the monthly report as CSV',
      description: 'Finance wants the report as CSV as well as PDF.',
      labels: [...(shape.labels ?? [])],
      assignee: shape.assignee ?? null,
      reporter: ALICE,
      issuetype: {
        self: `${SITE}/rest/api/2/issuetype/10001`,
        id: '10001',
        name: 'Task',
        subtask: false,
      },
      project: {
        self: `${SITE}/rest/api/2/project/10000`,
        id: '10000',
        key: 'ENG',
        name: 'Engineering',
      },
      status: { self: `${SITE}/rest/api/2/status/10000`, id: '10000', name: 'To Do' },
      created: jiraTime(new Date(Date.now() - 3_600_000)),
      updated: jiraTime(),
    },
  };
}

const envelope = (webhookEvent: string, eventType: string | undefined, rest: Json): Json => ({
  timestamp: Date.now(),
  webhookEvent,
  ...(eventType === undefined ? {} : { issue_event_type_name: eventType }),
  user: ALICE,
  matchedWebhookIds: [1],
  ...rest,
});

export function issueCreated(issue: IssueShape = {}): Json {
  return envelope('jira:issue_created', 'issue_created', { issue: jiraIssue(issue) });
}

/** `jira:issue_updated` with its changelog: the label `aidev` added. */
export function labelAdded(label = 'aidev', changelogId = '10500'): Json {
  return envelope('jira:issue_updated', 'issue_updated', {
    issue: jiraIssue({ labels: [label] }),
    changelog: {
      id: changelogId,
      items: [
        {
          field: 'labels',
          fieldtype: 'jira',
          fieldId: 'labels',
          from: '',
          fromString: '',
          to: '',
          toString: label,
        },
      ],
    },
  });
}

/** `jira:issue_updated`: the issue assigned to `assignee` (aidev's own user by default). */
export function assigned(assignee: Json = AIDEV_BOT, changelogId = '10501'): Json {
  return envelope('jira:issue_updated', 'issue_assigned', {
    issue: jiraIssue({ assignee }),
    changelog: {
      id: changelogId,
      items: [
        {
          field: 'assignee',
          fieldtype: 'jira',
          fieldId: 'assignee',
          // Unassigned before: Jira sends `from: null`, which the description (a string) does
          // not allow; left out here, which both allow.
          to: assignee.accountId,
          toString: assignee.displayName,
        },
      ],
    },
  });
}

/** `comment_created`: a comment (`/aidev implement` by default) on the issue. */
export function commentCreated(text = '/aidev implement', commentId = '10100'): Json {
  const now = jiraTime();
  return envelope('comment_created', undefined, {
    comment: {
      self: `${SITE}/rest/api/2/issue/10042/comment/${commentId}`,
      id: commentId,
      author: ALICE,
      // Webhooks render fields as REST v2 does: the comment's text, not a document (ADF).
      body: text,
      updateAuthor: ALICE,
      created: now,
      updated: now,
      jsdPublic: true,
    },
    issue: jiraIssue(),
  });
}

/** Jira's signature of a body: `sha256=` and the hex HMAC-SHA256 with the webhook's secret. */
export function jiraSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });

let validator: Promise<OpenAPIBackend> | undefined;

/** Jira's published schemas, under an operation that takes a delivery as its body. */
function webhookValidator(): Promise<OpenAPIBackend> {
  validator ??= jiraDescription().then(async (description) => {
    const definition = {
      openapi: '3.0.1',
      info: { title: 'Jira webhooks', version: '1' },
      paths: {
        '/webhook': {
          post: {
            operationId: 'webhook',
            requestBody: {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['timestamp', 'webhookEvent'],
                    additionalProperties: false,
                    properties: {
                      timestamp: { type: 'integer' },
                      webhookEvent: { type: 'string' },
                      issue_event_type_name: { type: 'string' },
                      user: ref('UserDetails'),
                      issue: ref('IssueBean'),
                      changelog: ref('Changelog'),
                      comment: ref('Comment'),
                      matchedWebhookIds: { type: 'array', items: { type: 'integer' } },
                    },
                  },
                },
              },
            },
            responses: { 200: { description: 'ok' } },
          },
        },
      },
      components: (description as { components: unknown }).components,
    } as unknown as Document;
    // The backend (not a bare validator) resolves the $refs into Jira's components.
    const api = new OpenAPIBackend({
      definition,
      quick: true,
      ajvOpts: { allErrors: true, strict: false },
      customizeAjv: (ajv) => addNoOpFormats(ajv),
    });
    await api.init();
    return api;
  });
  return validator;
}

/** What in `payload` does not fit Atlassian's description of a delivery; none: it fits. */
export async function jiraWebhookProblems(payload: Json): Promise<string[]> {
  const result = (await webhookValidator()).validator.validateRequest(
    {
      method: 'post',
      path: '/webhook',
      headers: { 'content-type': 'application/json' },
      body: payload,
    },
    'webhook',
  );
  return (result.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'} ${JSON.stringify(e.params)}`,
  );
}
