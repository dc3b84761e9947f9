import { randomUUID } from 'node:crypto';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { git, resolveRef } from '../git/git.js';
import type { App } from '../app/create-app.js';
import type { Logger } from '../log/create-logger.js';
import { RegistryActionRunner } from '../plugins/registry-action-runner.js';
import { packagePath } from '../package-root.js';

/** The sample project the demo works on: a tiny shop checkout with a real bug. */
const SAMPLE_SOURCE = packagePath('demo', 'sample-repository');
export const SAMPLE_REPOSITORY = 'sample-shop';
export const DEMO_PROJECT = 'DEMO';

export const DEMO_TASK = {
  title: 'Order total ignores item quantities',
  description: [
    'A customer who buys two mugs is charged for one.',
    '',
    '`orderTotal` in src/cart.ts must charge each line its unit price times its quantity; the',
    'discount then applies to that total. The test "a line costs its unit price times its',
    'quantity" in test/cart.test.ts fails today.',
  ].join('\n'),
} as const;

/**
 * Creates the sample repository in the local git backend's folder the first time (a git
 * repository with one commit on main), and reuses it afterwards: every demo run works on its
 * own branch, so runs never clash.
 */
export async function ensureSampleRepository(dataDir: string, log: Logger): Promise<string> {
  const repo = path.join(dataDir, 'repos', SAMPLE_REPOSITORY);
  await mkdir(repo, { recursive: true });
  const existing = await git(['rev-parse', '--show-toplevel'], { cwd: repo }).catch(() => '');
  if (existing.trim() === repo && (await resolveRef(repo, 'refs/heads/main')) !== undefined)
    return repo;
  await cp(SAMPLE_SOURCE, repo, { recursive: true });
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: repo });
  await git(['add', '--all'], { cwd: repo });
  await git(['commit', '--quiet', '-m', 'Sample shop: order totals, discounts, prices'], {
    cwd: repo,
  });
  log.info({ repo }, 'created the sample repository');
  return repo;
}

/** A new task in the local tracker for this demo run (DEMO-1, DEMO-2, …). */
export async function createDemoTask(app: App): Promise<string> {
  const created = (await new RegistryActionRunner(app.plugins).run({
    run: { id: 'demo', workflow: 'demo', channelId: null, userId: null },
    step: 'create_demo_task',
    attempt: 1,
    idempotencyKey: `demo:${randomUUID()}`,
    signal: new AbortController().signal,
    log: app.logger,
    plugin: 'task_management',
    action: 'create_task',
    input: { project: DEMO_PROJECT, title: DEMO_TASK.title, description: DEMO_TASK.description },
  })) as { task_id: string };
  return created.task_id;
}
