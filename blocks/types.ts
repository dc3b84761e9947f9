/**
 * Block Kit as aidev builds it: plain JSON objects (the Slack SDK's types stay in
 * src/adapters/slack/). The builders in blocks/ keep within Slack's limits (see limits.ts).
 */
export interface TextObject {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export interface Block {
  readonly type: string;
  readonly block_id?: string;
  readonly [field: string]: unknown;
}

export interface View {
  readonly type: 'modal' | 'home';
  readonly callback_id?: string;
  readonly private_metadata?: string;
  readonly title?: TextObject;
  readonly submit?: TextObject;
  readonly close?: TextObject;
  readonly blocks: readonly Block[];
}
