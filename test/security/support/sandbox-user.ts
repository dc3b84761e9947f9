import { expect } from 'vitest';
import { DEFAULT_SANDBOX_POLICY } from '../../../src/sandbox/sandbox-policy.js';

/** The first line of `output` is the command's uid: one of the sandbox's users, never root. */
export function expectSandboxUser(output: string): void {
  const uid = Number(output.split('\n')[0]);
  const { uid: first, users } = DEFAULT_SANDBOX_POLICY;
  expect(uid).toBeGreaterThan(first - users);
  expect(uid).toBeLessThanOrEqual(first);
}
