import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { createPgliteDataDir } from '../support/backends.js';
import { childEnv } from '../support/child-process.js';
import { BIN, runBin } from '../support/cli.js';

describe('aidev worker', () => {
  it('serves the embedded database to other commands, and stops cleanly on SIGTERM', async () => {
    const dataDir = await createPgliteDataDir();
    const worker = spawn(process.execPath, [BIN, 'worker'], {
      env: childEnv({ AIDEV_DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
    });
    const logs: { msg: string }[] = [];
    const lines = createInterface({ input: worker.stderr });
    const ready = new Promise<void>((resolve) => {
      lines.on('line', (line) => {
        logs.push(JSON.parse(line) as { msg: string });
        if (line.includes('worker ready')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) =>
      worker.on('exit', (code) => resolve(code)),
    );
    await ready;

    const check = await runBin(['config', 'check'], { AIDEV_DATA_DIR: dataDir }, dataDir);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`(served by process ${worker.pid})`);

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['job worker started', 'worker ready', 'worker stopped']),
    );
  });

  it('refuses to start with invalid configuration, saying why', async () => {
    const result = await runBin(
      ['worker'],
      { AIDEV_SANDBOX: 'docker' },
      await createPgliteDataDir(),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'config error: AIDEV_SANDBOX: expected one of auto, bubblewrap, seatbelt, none, found "docker"\n',
    );
  });
});
