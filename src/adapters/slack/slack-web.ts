import type { Block, View } from '../../../blocks/types.js';

/** A message as posted: where it is, to update it or reply under it. */
export interface PostedMessage {
  readonly channel: string;
  readonly ts: string;
}

/**
 * What the Slack front end needs of the Slack Web API, nothing more. Every call goes through
 * the `slack` guard (rate limit, retries honouring Retry-After, breaker); the implementation
 * lives in src/adapters/slack/, the only place that imports Slack's SDK.
 */
export interface SlackWeb {
  postMessage(message: {
    channel: string;
    text: string;
    blocks?: readonly Block[];
    threadTs?: string;
  }): Promise<PostedMessage>;
  updateMessage(message: {
    channel: string;
    ts: string;
    text: string;
    blocks?: readonly Block[];
  }): Promise<void>;
  postEphemeral(message: {
    channel: string;
    user: string;
    text: string;
    blocks?: readonly Block[];
    threadTs?: string;
  }): Promise<void>;
  openView(triggerId: string, view: View): Promise<void>;
  publishHome(user: string, view: View): Promise<void>;
  /** Whether a user administers the workspace (admins may change any channel's settings). */
  isAdmin(user: string): Promise<boolean>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
}
