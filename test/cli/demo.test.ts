import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../src/git/git.js';
import { REPO_ROOT } from '../support/child-process.js';
import { runBin, type CliResult } from '../support/cli.js';

interface DemoJson {
  run_id: string;
  status: string;
  task_key: string;
  pr_url: string;
  cost_usd: string;
  demo: {
    branch: string;
    commits: string[];
    tests: { command: string; passed: boolean };
    pull_request: { number: number; title: string; status: string; diffstat: string };
    task: { key: string; status: string; comments: string[] };
    docs_page: string;
    cost_usd: string;
    model_calls: number;
  };
}

let scratch: string;
let env: Record<string, string>;
const runs: DemoJson[] = [];
const lastLine = (r: CliResult) => r.stdout.trim().split('\n').at(-1) ?? '';

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'aidev-demo-'));
  // The embedded defaults only: no database URL, no tokens (childEnv passes none of ours).
  env = { AIDEV_DATA_DIR: path.join(scratch, 'data') };
}, 180_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('aidev demo, through the real bin, twice in the same data directory', () => {
  it('takes a sample task to a commit, a pull request, a task in review, a docs page and costs', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await runBin(['demo', '--json'], env, REPO_ROOT);
      expect(result.code, result.stderr + result.stdout).toBe(0);
      runs.push(JSON.parse(lastLine(result)) as DemoJson);
    }
    const repo = path.join(scratch, 'data', 'repos', 'sample-shop');
    for (const [i, run] of runs.entries()) {
      const key = `DEMO-${i + 1}`;
      expect(run).toMatchObject({ status: 'succeeded', task_key: key });
      expect(run.demo).toMatchObject({
        branch: `aidev/${key}`,
        commits: [
          expect.stringMatching(
            new RegExp(`^[0-9a-f]{7} ${key}: Charge each order line for its quantity$`),
          ) as string,
        ],
        tests: { command: 'npm test', passed: true },
        pull_request: { number: i + 1, status: 'open', diffstat: '1 file changed, +1 −1' },
        task: {
          key,
          status: 'In Review',
          comments: [expect.stringContaining(`#pull=${i + 1}`) as string],
        },
        model_calls: 5,
      });
      expect(Number(run.demo.cost_usd)).toBeGreaterThan(0);
      const diff = await git(['diff', 'main', `aidev/${key}`], { cwd: repo });
      expect(diff).toContain(
        '+  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
      );
      const page = await readFile(run.demo.docs_page, 'utf8');
      expect(page).toContain(
        'An order total is the sum of each line’s unit price times its quantity',
      );
    }
  }, 240_000);

  it('lists both demo runs as finished with aidev runs --json, and shows one with aidev run', async () => {
    const listed = await runBin(['runs', '--json'], env, REPO_ROOT);
    expect(listed.code, listed.stderr).toBe(0);
    const all = JSON.parse(listed.stdout) as { id: string; status: string; task_key: string }[];
    expect(all.map((r) => [r.task_key, r.status])).toEqual([
      ['DEMO-2', 'succeeded'],
      ['DEMO-1', 'succeeded'],
    ]);
    const one = await runBin(['run', runs[0]?.run_id ?? ''], env, REPO_ROOT);
    expect(one.stdout).toMatch(/^implement-task DEMO-1 · succeeded · \$0\.\d{4} · run /);
    expect(one.stdout).toContain('succeeded   open_pull_request');
    // Each run owns the pull request it opened: feedback on it finds the run.
    expect(one.stdout).toMatch(/^pull request #1 \(open\): file:\/\/.+#pull=1$/m);
    const json = await runBin(['run', runs[1]?.run_id ?? '', '--json'], env, REPO_ROOT);
    const detail = JSON.parse(json.stdout) as { pull_requests: object[] };
    expect(detail.pull_requests).toEqual([
      expect.objectContaining({
        number: 2,
        state: 'open',
        branch: 'aidev/DEMO-2',
        step: 'open_pull_request',
      }),
    ]);
  }, 60_000);

  it('reports the month’s spend by user and model with aidev budget', async () => {
    const report = await runBin(['budget', '--json'], env, REPO_ROOT);
    const json = JSON.parse(report.stdout) as {
      totalUsd: string;
      byModel: { key: string; calls: number }[];
    };
    expect(json.byModel).toEqual([
      expect.objectContaining({ key: 'claude-sonnet-5-5', calls: 10 }),
    ]);
    expect(Number(json.totalUsd)).toBeCloseTo(
      Number(runs[0]?.cost_usd) + Number(runs[1]?.cost_usd),
      8,
    );
  }, 60_000);

  it('prints the precise errors of a broken workflow and exits 1', async () => {
    const file = path.join(scratch, 'broken.yaml');
    await writeFile(
      file,
      'name: broken\nsteps:\n  - name: a\n    plugin: version_control\n    action: open_pr\n    on_error: sometimes\n',
    );
    const result = await runBin(['workflow', 'validate', file], env, REPO_ROOT);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(
      /broken\.yaml:5:13 steps\[0\]\.action: .*"open_pr"/,
    );
    expect(result.stdout + result.stderr).toMatch(
      /broken\.yaml:6:15 steps\[0\]\.on_error: expected one of fail, retry, rollback, continue, found "sometimes"/,
    );
  }, 60_000);
});
