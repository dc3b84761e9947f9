import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { runDemoFlow } from '../../src/demo/demo-flow.js';
import { demoSandbox } from '../../src/demo/demo-sandbox.js';
import { sandboxHost } from '../../src/sandbox/sandbox-choice.js';
import { git } from '../../src/git/git.js';
import { REPO_ROOT } from '../support/child-process.js';
import { runBin } from '../support/cli.js';
import { capturingLogger } from '../support/logger.js';
import { pathWithout } from '../support/path-without.js';

let scratch: string;
let noBwrap: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-demo-nosandbox-'));
  noBwrap = await pathWithout('bwrap', scratch);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('on a Linux machine without bubblewrap', () => {
  it('the demo runs the sample’s tests without a sandbox, after saying why that is safe and how real runs differ', async () => {
    const data = path.join(scratch, 'demo');
    const result = await runBin(['demo'], { AIDEV_DATA_DIR: data, PATH: noBwrap }, REPO_ROOT);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    const [before] = result.stdout.split('✓ fetch_task');
    expect(before).toContain('  sandbox    none: bubblewrap (bwrap) is not installed\n');
    expect(before).toContain('every command\n             it can run ships with aidev');
    expect(before).toContain('aidev implement, serve and worker refuse to run');
    expect(before).toContain('unless AIDEV_SANDBOX=none is set');
    expect(before).toContain('apt-get install bubblewrap');
    expect(result.stdout).toContain('tests: npm test passed without a sandbox after the change');
    // Only the fix is committed: the unsandboxed tests' home (npm's logs) is not the workspace.
    const repo = path.join(data, 'repos', 'sample-shop');
    expect(await git(['diff', '--name-only', 'main', 'aidev/DEMO-1'], { cwd: repo })).toBe(
      'src/cart.ts\n',
    );
  }, 240_000);

  it('the demo refuses up front when a live model’s commands would run unsandboxed', async () => {
    const result = await runBin(
      ['demo'],
      {
        AIDEV_DATA_DIR: path.join(scratch, 'live'),
        PATH: noBwrap,
        ANTHROPIC_API_KEY: 'sk-ant-test-not-a-key',
      },
      REPO_ROOT,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'aidev demo: no sandbox on this machine (bubblewrap (bwrap) is not installed), and the demo’s AI is Claude (ANTHROPIC_API_KEY is set), so the commands it writes do not ship with aidev: they cannot run unsandboxed (install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap; Alpine: apk add bubblewrap); unset ANTHROPIC_API_KEY to replay the recorded answers; or set AIDEV_SANDBOX=none)\n',
    );
    expect(result.stdout).not.toContain('fetch_task');
  }, 120_000);

  it('in the demo’s own configuration, a run the demo did not start (one left in the same database) still refuses', async () => {
    const { logger } = capturingLogger({ level: 'warn' });
    const sandbox = demoSandbox(sandboxHost(noBwrap));
    const config = sandbox.adjust(
      loadConfig({ env: { AIDEV_DATA_DIR: path.join(scratch, 'other') }, cwd: REPO_ROOT }),
    );
    expect(config.security.unsandboxedDemo?.runs.size).toBe(0);
    const app = await createApp({ config, logger, cwd: REPO_ROOT });
    const saved = process.env.PATH;
    process.env.PATH = noBwrap;
    try {
      await app.startWorker();
      // Not exempted: as if it had been queued by `aidev implement` or Slack before the demo.
      const { run } = await runDemoFlow(app, { approver: 'U-other', timeoutMs: 120_000 });
      expect(run.status).toBe('failed');
      const steps = await app.store.steps.listForRun(run.id);
      expect(JSON.stringify(steps.find((s) => s.stepName === 'implement')?.error)).toContain(
        'cannot run the command: bubblewrap (bwrap) is not installed',
      );
      // The demo's own run, exempted as it starts, runs.
      const own = await runDemoFlow(app, {
        approver: 'U-demo',
        timeoutMs: 120_000,
        onStarted: (started) => sandbox.exempt(started.id),
      });
      expect(own.run.status).toBe('succeeded');
    } finally {
      process.env.PATH = saved;
      await app.stop();
    }
  }, 240_000);

  it('a real run (configuration as implement, serve and worker load it) refuses at its tests, saying what to install', async () => {
    const { logger } = capturingLogger({ level: 'warn' });
    const config = loadConfig({
      env: { AIDEV_DATA_DIR: path.join(scratch, 'real') },
      cwd: REPO_ROOT,
    });
    expect(config.security.sandbox).toBe('auto');
    const app = await createApp({ config, logger, cwd: REPO_ROOT });
    const saved = process.env.PATH;
    process.env.PATH = noBwrap;
    try {
      await app.startWorker();
      const { run } = await runDemoFlow(app, { approver: 'U-real', timeoutMs: 120_000 });
      expect(run.status).toBe('failed');
      const steps = await app.store.steps.listForRun(run.id);
      const implement = steps.find((s) => s.stepName === 'implement');
      expect(implement?.status).toBe('failed');
      expect(JSON.stringify(implement?.error)).toContain(
        'cannot run the command: bubblewrap (bwrap) is not installed; install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap',
      );
      expect(JSON.stringify(implement?.error)).toContain(
        'or set AIDEV_SANDBOX=none to run commands without a sandbox',
      );
    } finally {
      process.env.PATH = saved;
      await app.stop();
    }
  }, 240_000);
});
