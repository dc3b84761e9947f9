import { createHmac, randomUUID } from 'node:crypto';
import type {
  EntityWebhookPayloadWithCommentData,
  EntityWebhookPayloadWithIssueData,
} from '@linear/sdk/webhooks';

/**
 * Linear webhook deliveries, typed with the payload types Linear publishes in its SDK
 * (@linear/sdk/webhooks): the compiler holds these fixtures to Linear's own description of
 * `action`, `type`, `data`, `updatedFrom`, `webhookTimestamp` and the rest.
 */

/**
 * A payload as it travels: the SDK types `DateTime` as `Date`, which JSON carries as an ISO
 * string (and LinearWebhookClient's own parser leaves as one).
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

const ORGANIZATION = '1b5f1c44-3e44-4c0e-9a44-7d6f0b0d2c11';
const WEBHOOK = '6a1c1a3e-8d7b-4b8e-9f0e-2b3f3b5d9c22';
const TEAM = { id: '8f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0', key: 'ENG', name: 'Engineering' };
export const ALICE = {
  id: 'c2a8f3b4-1d2e-4f5a-8b6c-7d8e9f0a1b2c',
  name: 'Alice Martin',
  email: 'alice@example.com',
  url: 'https://linear.app/acme/profiles/alice',
};
const AIDEV_LABEL = { id: '4e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b', name: 'aidev', color: '#5e6ad2' };

function issueData(labels: (typeof AIDEV_LABEL)[]) {
  const now = new Date().toISOString();
  return {
    id: '5d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a',
    identifier: 'ENG-42',
    number: 42,
    title: 'Export the monthly report as CSV',
    description: 'Finance wants the report as CSV as well as PDF.',
    url: 'https://linear.app/acme/issue/ENG-42/export-the-monthly-report-as-csv',
    createdAt: now,
    updatedAt: now,
    teamId: TEAM.id,
    team: TEAM,
    stateId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    state: {
      id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      name: 'Todo',
      color: '#e2e2e2',
      type: 'unstarted',
    },
    labelIds: labels.map((l) => l.id),
    labels,
    priority: 2,
    priorityLabel: 'High',
    prioritySortOrder: 2,
    sortOrder: -1000,
    previousIdentifiers: [],
    subscriberIds: [ALICE.id],
    reactionData: {},
    releases: [],
    creatorId: ALICE.id,
  };
}

const envelope = () => ({
  createdAt: new Date().toISOString(),
  organizationId: ORGANIZATION,
  webhookId: WEBHOOK,
  webhookTimestamp: Date.now(),
  actor: { id: ALICE.id, name: ALICE.name, email: ALICE.email, type: 'user' },
});

/** `Issue` `update`: the label `aidev` added (its ids in `updatedFrom` are those before). */
export function issueLabelled(): Wire<EntityWebhookPayloadWithIssueData> {
  const data = issueData([AIDEV_LABEL]);
  return {
    ...envelope(),
    action: 'update',
    type: 'Issue',
    data,
    url: data.url,
    updatedFrom: { labelIds: [], updatedAt: new Date(Date.now() - 60_000).toISOString() },
  };
}

/** `Issue` `create`. */
export function issueCreated(): Wire<EntityWebhookPayloadWithIssueData> {
  const data = issueData([]);
  return { ...envelope(), action: 'create', type: 'Issue', data, url: data.url };
}

/** `Comment` `create`: `/aidev implement` by default, on ENG-42. */
export function commentCreated(
  body = '/aidev implement',
): Wire<EntityWebhookPayloadWithCommentData> {
  const now = new Date().toISOString();
  const issue = issueData([]);
  const id = randomUUID();
  return {
    ...envelope(),
    action: 'create',
    type: 'Comment',
    url: `${issue.url}#comment-${id.slice(0, 8)}`,
    data: {
      id,
      body,
      createdAt: now,
      updatedAt: now,
      issueId: issue.id,
      issue: {
        id: issue.id,
        identifier: issue.identifier,
        title: issue.title,
        url: issue.url,
        teamId: TEAM.id,
        team: TEAM,
      },
      userId: ALICE.id,
      user: ALICE,
      reactionData: {},
    },
  };
}

/** Linear's signature of a body: the hex HMAC-SHA256 with the webhook's signing secret. */
export function linearSignature(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}
