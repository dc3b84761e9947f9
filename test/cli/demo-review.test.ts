import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/git/git.js';
import { REPO_ROOT } from '../support/child-process.js';
import { runBin } from '../support/cli.js';

let scratch: string;
let env: Record<string, string>;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-demo-review-'));
  env = { AIDEV_DATA_DIR: path.join(scratch, 'data') };
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('aidev demo --review and aidev pr comment, through the real bin, offline', () => {
  let runId = '';

  it('reviews the demo’s pull request: one round of fixes, a new commit, a reply in each thread', async () => {
    const result = await runBin(['demo', '--review'], env, REPO_ROOT);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const out = result.stdout;
    expect(out).toContain('A reviewer asks for two changes on the pull request:');
    expect(out).toContain('✓ DEMO-1: address-feedback succeeded.');
    expect(out).toMatch(
      /round 1: succeeded — [0-9a-f]{7} DEMO-1: Refuse negative quantities on aidev\/DEMO-1 \(a new commit; nothing force-pushed\)/,
    );
    expect(out).toContain('reply on src/cart.ts:13: “Done: orderTotal throws a RangeError');
    expect(out).toContain('reply on test/cart.test.ts:29: “Added "a negative quantity is refused"');
    expect(out).toMatch(/on the pull request: “\*\*aidev, round 1 of 3\*\*: pushed [0-9a-f]{40}\./);
    const repo = path.join(scratch, 'data', 'repos', 'sample-shop');
    const log = await git(['log', '--format=%s', 'main..aidev/DEMO-1'], { cwd: repo });
    expect(log.trim().split('\n')).toEqual([
      'DEMO-1: Refuse negative quantities',
      'DEMO-1: Charge each order line for its quantity',
    ]);
    runId = /aidev run ([0-9a-f-]{36})/.exec(out)?.[1] ?? '';
    expect(runId).not.toBe('');
  }, 240_000);

  it('queues a person’s comment for the next round, and aidev run shows the rounds', async () => {
    const said = await runBin(
      [
        'pr',
        'comment',
        runId,
        'Also refuse a price below zero.',
        '--file',
        'src/cart.ts',
        '--line',
        '3',
      ],
      env,
      REPO_ROOT,
    );
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toMatch(/^round 2 of fixes started on pull request #1 \(file:/);
    const shown = await runBin(['run', runId], env, REPO_ROOT);
    expect(shown.stdout).toContain('pull request #1 (open): file://');
    expect(shown.stdout).toMatch(/ {2}round 1 {2}succeeded .* 2 comments by reviewer/);
    expect(shown.stdout).toMatch(/ {2}round 2 {2}queued .* comment by cli:/);
    expect(shown.stdout).toContain('cost with the rounds of fixes:');

    const wrong = await runBin(['pr', 'comment', runId, 'x', '--line', 'two'], env, REPO_ROOT);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--line expects a line number (1 or more), found "two"');
    const none = await runBin(
      ['pr', 'comment', '00000000-0000-4000-8000-000000000000', 'x'],
      env,
      REPO_ROOT,
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('there is no run "00000000-0000-4000-8000-000000000000"');
  }, 120_000);
});
