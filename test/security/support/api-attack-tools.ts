import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { issueToken } from '../../../src/security/api-tokens.js';
import type { ApiHarness, ApiResponse, ProblemJson } from '../../http/support/api-harness.js';

/** What the API attacks (test/security/api-attacks.test.ts) are made of and checked with. */

/** JSON text nested `depth` arrays deep: JSON.stringify itself would overflow on the value. */
export const nested = (depth: number) => `${'['.repeat(depth)}"U0ATTACK"${']'.repeat(depth)}`;
/** Random text that no database compresses below its index limit. */
export const incompressible = (length: number) =>
  randomBytes(length).toString('base64url').slice(0, length);
export const cursorOf = (text: string) => Buffer.from(text).toString('base64url');
export interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
}
export const VENDOR_SECRET = 'postgres:/admin:hunter2@db.internal';
export const RUN_ID = '00000000-0000-4000-8000-000000000000';

/** An open event stream of a new viewer token, and how it ended. */
export async function openStream(api: ApiHarness, expiresAt?: Date) {
  const { token, record } = await issueToken(api.app.store, {
    name: `stream-${streams++}`,
    role: 'viewer',
    createdBy: 'test',
    ...(expiresAt === undefined ? {} : { expiresAt }),
  });
  const socket = new WebSocket(`${api.base.replace('http', 'ws')}/api/v1/events`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const messages: string[] = [];
  // Open once the server has said ready, then subscribed to every run.
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      messages.push(text);
      const { type } = JSON.parse(text) as { type: string };
      if (type === 'ready') socket.send(JSON.stringify({ type: 'subscribe' }));
      if (type === 'subscribed') resolve();
    });
    socket.on('error', reject);
  });
  return { tokenId: record.id, socket, closed, messages };
}
let streams = 0;

/** The stream was closed for its token: Policy Violation, with the reason. */
export async function expectClosed(
  closed: Promise<{ code: number; reason: string }>,
  reason: RegExp,
) {
  const { code, reason: given } = await closed;
  expect(code).toBe(1008);
  expect(given).toMatch(reason);
}

/** A 4xx problem+json naming the field, what was expected and what was found. */
export function expectRefusal(response: ApiResponse, field: string, expected: RegExp): void {
  const label = `${response.status} ${JSON.stringify(response.body)}`;
  expect(response.status, label).toBeGreaterThanOrEqual(400);
  expect(response.status, label).toBeLessThan(500);
  expect(response.headers.get('content-type'), label).toContain('application/problem+json');
  const errors = (response.body as ProblemJson).errors ?? [];
  const error = errors.find((e) => e.path === field);
  expect(error, `${label} names ${field}`).toBeDefined();
  expect(error?.message, label).toMatch(expected);
  expect(error?.message, label).toMatch(/found/);
}
