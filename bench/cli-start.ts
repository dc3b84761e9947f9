/**
 * What an `aidev` command costs as a whole process, pair by pair against bare Node (`node -e 0`):
 * CPU time and peak memory as the process itself reports them at exit (bench/support/
 * rusage-preload.mjs), wall time as this benchmark sees it. Commands: `--help`, `workflow
 * validate`, `runs --json` on the embedded database alone (this process boots PGlite) and with
 * an `aidev worker` already serving it. Goals (issue 17): `--help` within 5× bare Node's CPU and
 * under 100 MiB; `runs --json` against a running worker within 1 s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fmt, median, table } from './support/measure.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/aidev.js');
const PRELOAD = path.join(ROOT, 'bench/support/rusage-preload.mjs');
const PAIRS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Usage {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssMiB: number;
}

/** Runs `node [--import preload] ...args` to its end and reports what it used. */
async function measure(args: readonly string[], env: NodeJS.ProcessEnv, scratch: string) {
  const file = path.join(scratch, `rusage-${process.hrtime.bigint()}.json`);
  const start = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
      cwd: ROOT,
      env: { ...env, AIDEV_BENCH_RUSAGE: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
  const used = JSON.parse(await readFile(file, 'utf8')) as { cpuUs: number; maxRssKiB: number };
  return { wallMs, cpuMs: used.cpuUs / 1000, rssMiB: used.maxRssKiB / 1024 } satisfies Usage;
}

/** `PAIRS` pairs of (bare Node, the command), interleaved so that load affects both alike. */
async function pairs(args: readonly string[], env: NodeJS.ProcessEnv, scratch: string) {
  const bare: Usage[] = [];
  const command: Usage[] = [];
  await measure([BIN, ...args], env, scratch); // warm-up: the file system cache, a first migration
  for (let i = 0; i < PAIRS; i++) {
    bare.push(await measure(['-e', '0'], env, scratch));
    command.push(await measure([BIN, ...args], env, scratch));
  }
  const m = (list: Usage[], key: keyof Usage) => median(list.map((u) => u[key]));
  return {
    bare: { wallMs: m(bare, 'wallMs'), cpuMs: m(bare, 'cpuMs'), rssMiB: m(bare, 'rssMiB') },
    command: {
      wallMs: m(command, 'wallMs'),
      cpuMs: m(command, 'cpuMs'),
      rssMiB: m(command, 'rssMiB'),
    },
  };
}

/** Starts `aidev worker` on `dataDir` and resolves once it serves the database. */
async function startWorker(env: NodeJS.ProcessEnv) {
  const worker = spawn(process.execPath, [BIN, 'worker'], {
    cwd: ROOT,
    env: { ...env, LOG_LEVEL: 'info' },
    // Its log goes to stderr.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.on('exit', (code) => reject(new Error(`aidev worker exited with ${code}`)));
    createInterface({ input: worker.stderr }).on('line', (line) => {
      if (line.includes('worker ready')) resolve();
    });
  });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        worker.removeAllListeners('exit');
        worker.on('exit', () => resolve());
        worker.kill('SIGTERM');
      }),
  };
}

export async function run(): Promise<void> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'aidev-bench-cli-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  const alone = { ...env, AIDEV_DATA_DIR: path.join(scratch, 'alone') };
  const served = { ...env, AIDEV_DATA_DIR: path.join(scratch, 'served') };
  try {
    const rows: [string, Awaited<ReturnType<typeof pairs>>][] = [
      ['--help', await pairs(['--help'], env, scratch)],
      [
        'workflow validate workflows/implement-task.yaml',
        await pairs(['workflow', 'validate', 'workflows/implement-task.yaml'], env, scratch),
      ],
      [
        'runs --json (embedded database, no worker)',
        await pairs(['runs', '--json'], alone, scratch),
      ],
    ];
    const worker = await startWorker(served);
    try {
      rows.push([
        'runs --json (an aidev worker serves the database)',
        await pairs(['runs', '--json'], served, scratch),
      ]);
    } finally {
      await worker.stop();
    }
    console.log(
      `\n## aidev command start-up (median of ${PAIRS} pairs, each against node -e 0; Node ${process.version})\n`,
    );
    console.log(
      table(
        ['command', 'wall ms', 'CPU ms', 'CPU × bare', 'peak MiB', 'bare: wall / CPU / MiB'],
        rows.map(([name, { bare, command }]) => [
          name,
          fmt(command.wallMs),
          fmt(command.cpuMs),
          (command.cpuMs / bare.cpuMs).toFixed(1),
          command.rssMiB.toFixed(0),
          `${fmt(bare.wallMs)} / ${fmt(bare.cpuMs)} / ${bare.rssMiB.toFixed(0)}`,
        ]),
      ),
    );
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
