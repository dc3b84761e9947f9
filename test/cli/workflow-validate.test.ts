import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-process.js';
import { runInProcess } from '../support/cli.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-validate-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const TIMEOUTS = `name: timeouts
timeout: 1h
steps:
  - name: implement
    plugin: communication
    action: send_message
    timeout: 2h
    inputs: { channel: C-1, message: hi }
  - name: approve
    type: approval
    message: Go?
  - name: announce
    plugin: communication
    action: send_message
    timeout: 30m
    inputs: { channel: C-1, message: done }
`;

it('warns about a step timeout the run’s own timeout cuts short and a gate with no timeout, and still exits 0', async () => {
  await writeFile(path.join(scratch, 'timeouts.yaml'), TIMEOUTS);
  const result = await runInProcess(['workflow', 'validate', 'timeouts.yaml'], {}, scratch);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const lines = result.stdout.trim().split('\n');
  expect(lines[0]).toBe('✓ timeouts.yaml: "timeouts" v1, 3 steps, 2 warnings');
  expect(lines.slice(1)).toEqual([
    "  warning: timeouts.yaml:7:14 steps[0].timeout: 2h is longer than the run's timeout (1h): the run's deadline stops this step first, so this timeout never applies; lower it, or raise the workflow's timeout",
    "  warning: timeouts.yaml:9:5 steps[1]: no timeout: time waiting for a decision does not count against the run's timeout (1h), so the run waits until someone decides or cancels it; set timeout: (and on_timeout:) to end the wait",
  ]);

  const json = await runInProcess(['workflow', 'validate', '--json', 'timeouts.yaml'], {}, scratch);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout) as { ok: boolean; files: { warnings: string[] }[] };
  expect(report.ok).toBe(true);
  expect(report.files[0]?.warnings).toHaveLength(2);
});

it('finds nothing to warn about in the shipped workflows (their gates wait 24h, beyond the run timeout)', async () => {
  const result = await runInProcess(
    ['workflow', 'validate', 'workflows/implement-task.yaml', 'workflows/plan-project.yaml'],
    {},
    REPO_ROOT,
  );
  expect(result.code).toBe(0);
  expect(result.stdout).not.toContain('warning');
});
