import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/git/git.js';
import { createApp, type App } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { PriceTable } from '../../src/costs/price-table.js';
import { formatUsd } from '../../src/costs/money.js';
import { runDemoFlow } from '../../src/demo/demo-flow.js';
import { runSandboxed } from '../../src/sandbox/run-sandboxed.js';
import { REPO_ROOT } from '../support/child-process.js';
import { capturingLogger } from '../support/logger.js';

const TOOLCHAIN = path.join(REPO_ROOT, 'node_modules', '.bin');
const { logger } = capturingLogger({ level: 'warn' });
let scratch: string;
let app: App;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-replay-'));
  const config = loadConfig({
    env: { AIDEV_DATA_DIR: path.join(scratch, 'data') },
    cwd: REPO_ROOT,
  });
  app = await createApp({ config, logger, cwd: REPO_ROOT });
  await app.startWorker();
});

afterAll(async () => {
  await app.stop();
  await rm(scratch, { recursive: true, force: true });
});

/** Runs the repository's tests on `ref` in the sandbox, in a checkout of its own. */
async function testsAt(repo: string, ref: string) {
  const checkout = path.join(scratch, `checkout-${ref.replace(/\W/g, '-')}`);
  await git(['worktree', 'add', '--detach', checkout, ref], { cwd: repo });
  return runSandboxed({
    cwd: checkout,
    command: 'npm test',
    mode: 'bubblewrap',
    timeoutMs: 60_000,
    maxOutputBytes: 64 * 1024,
    toolPath: [TOOLCHAIN],
    logger,
  });
}

describe('the development agent, replaying the recorded demo conversation', () => {
  it('fixes the sample repository: one commit on its branch that makes the failing test pass', async () => {
    const { run, taskKey, repositoryPath } = await runDemoFlow(app, {
      approver: 'U-demo',
      timeoutMs: 120_000,
    });
    const steps = await app.store.steps.listForRun(run.id);
    expect(run.status, JSON.stringify(steps.map((s) => [s.stepName, s.status, s.error]))).toBe(
      'succeeded',
    );
    const branch = `aidev/${taskKey}`;
    expect(await git(['log', '--format=%s', `main..${branch}`], { cwd: repositoryPath })).toBe(
      `${taskKey}: Charge each order line for its quantity\n`,
    );
    expect(await git(['diff', '--name-only', `main..${branch}`], { cwd: repositoryPath })).toBe(
      'src/cart.ts\n',
    );

    const implement = steps.find((s) => s.stepName === 'implement');
    const implementation = (implement?.outputs as { implementation: Record<string, unknown> })
      .implementation;
    expect(implementation.tests).toMatchObject({ command: 'npm test', passed: true });
    expect(implementation.changed_files).toEqual([{ status: 'modified', path: 'src/cart.ts' }]);
    const patch = (implementation.patch as { diff_base64: string }).diff_base64;
    expect(Buffer.from(patch, 'base64').toString('utf8')).toContain(
      '+  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
    );

    // The bug is real, and the change fixes it: checked again outside the agent.
    const before = await testsAt(repositoryPath, 'main');
    expect(before.exitCode).not.toBe(0);
    expect(before.stdout).toContain('not ok 3 - a line costs its unit price times its quantity');
    const after = await testsAt(repositoryPath, branch);
    expect(after.exitCode, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toContain('# fail 0');
  });

  it('records each replayed call at its recorded usage × the price table, exactly', async () => {
    const { run } = await runDemoFlow(app, { approver: 'U-demo', timeoutMs: 120_000 });
    expect(run.status).toBe('succeeded');
    const entries = await app.store.costs.listForRun(run.id);
    expect(entries.map((e) => e.stepName)).toEqual([
      'plan',
      'implement',
      'implement',
      'implement',
      'implement',
    ]);
    const prices = new PriceTable();
    for (const entry of entries) {
      expect(entry.provider).toBe('transcript');
      expect(entry.usd).toBe(formatUsd(prices.cost(entry.model, entry)));
    }
  });

  it('refuses loudly when the run asks something the recording does not hold', async () => {
    await app.store.tasks.upsert({
      source: 'local',
      key: 'DEMO-99',
      title: 'Order total ignores item quantities',
      description: 'Something else entirely.',
      status: 'To Do',
      issueType: 'task',
      labels: [],
      fields: {},
    });
    const { run } = await app.engine.startRun({
      workflow: 'implement-task',
      inputs: { task_key: 'DEMO-99', repository: 'sample-shop' },
      trigger: 'cli',
      userId: 'U-demo',
    });
    const deadline = Date.now() + 60_000;
    let current = run;
    while (!['failed', 'succeeded'].includes(current.status) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = (await app.store.runs.get(run.id)) ?? current;
    }
    expect(current.status).toBe('failed');
    const plan = (await app.store.steps.listForRun(run.id)).find((s) => s.stepName === 'plan');
    expect(plan?.error).toMatchObject({
      code: 'transcript_divergence',
      message: expect.stringMatching(
        /^transcript replay: the request of turn 1 of the planning\/plan conversation differs from .*demo\.json at messages\[0\]\.content\[0\]\.text, character \d+: recorded .*Something else entirely/s,
      ) as string,
    });
  });
});
