import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/child-process.js';
import { BIN, runBin } from '../support/cli.js';

const TRACER = path.join(REPO_ROOT, 'test/fixtures/module-trace/register.mjs');
/** The vendor SDKs and servers only the commands that talk to vendors or serve may load. */
const VENDOR =
  /node_modules\/(@slack|@octokit|jira\.js|confluence\.js|@anthropic-ai|fastify|@fastify|agenda|@agendajs|prom-client)\//;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'aidev-start-up-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the compiled bin and lists the packages (node_modules/<name>) it loaded. */
async function traced(name: string, args: readonly string[]) {
  const trace = path.join(dir, `${name}.trace`);
  const env = { AIDEV_TEST_MODULE_TRACE: trace, AIDEV_DATA_DIR: path.join(dir, `${name}-data`) };
  const result = await runBin(args, env, REPO_ROOT, ['--import', TRACER]);
  const urls = (await readFile(trace, 'utf8')).split('\n').filter((url) => url !== '');
  const packages = new Set(
    urls.flatMap((url) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []),
  );
  return { ...result, urls, packages: [...packages].sort() };
}

describe('the aidev bin starts with what its command needs', () => {
  it('runs the compiled JavaScript, not the TypeScript sources', async () => {
    const { code, urls } = await traced('version', ['--version']);
    expect(code).toBe(0);
    expect(urls.some((url) => url.includes('/dist/src/bin/aidev.js'))).toBe(true);
    expect(urls.filter((url) => url.endsWith('.ts'))).toEqual([]);
    expect(urls.filter((url) => url.includes('node_modules/tsx/'))).toEqual([]);
  });

  it('shows the help with commander alone', async () => {
    const { code, stdout, packages } = await traced('help', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('implement [options] <key>');
    expect(stdout).toContain('runs [options]');
    expect(packages).toEqual(['commander']);
  });

  it('validates a workflow without any vendor SDK, database or server', async () => {
    const { code, stdout, packages } = await traced('validate', [
      'workflow',
      'validate',
      'workflows/implement-task.yaml',
    ]);
    expect(code, stdout).toBe(0);
    expect(packages.filter((name) => VENDOR.test(`node_modules/${name}/`))).toEqual([]);
    expect(packages).not.toContain('pg');
    expect(packages).not.toContain('@electric-sql/pglite');
  });

  it('lists runs with the database alone, no vendor SDK', async () => {
    const { code, stdout, stderr, packages } = await traced('runs', ['runs', '--json']);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toEqual([]);
    expect(packages.filter((name) => VENDOR.test(`node_modules/${name}/`))).toEqual([]);
  });

  it('says how to build when the compiled output is missing', async () => {
    const unbuilt = path.join(dir, 'unbuilt');
    await mkdir(path.join(unbuilt, 'bin'), { recursive: true });
    await copyFile(BIN, path.join(unbuilt, 'bin', 'aidev.js'));
    const { code, stderr } = await runBin(
      ['--help'],
      {},
      unbuilt,
      [],
      path.join(unbuilt, 'bin', 'aidev.js'),
    );
    expect(code).toBe(1);
    expect(stderr).toContain('is not built yet: run `npm run build`');
  });
});
