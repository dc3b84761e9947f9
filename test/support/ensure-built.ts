import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './child-process.js';

/** What `npm run build` compiles (tsconfig.build.json), and the configuration it compiles with. */
const SOURCES = ['src', 'commands', 'blocks', 'tsconfig.build.json', 'tsconfig.json'];
const STAMP = path.join(REPO_ROOT, 'dist', '.tsbuildinfo');

/**
 * Tests run the real bin, which runs the compiled output in dist/. A checkout being worked on
 * has sources newer than its last build: build again then, so no test runs yesterday's code.
 */
export function ensureBuilt(): void {
  const builtAt = mtime(STAMP);
  if (builtAt !== undefined && newestSource() <= builtAt) return;
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0)
    throw new Error(`npm run build failed before the tests:\n${build.stdout}${build.stderr}`);
  // tsc leaves its build info alone when no output changed (a file touched, not edited).
  const now = new Date();
  utimesSync(STAMP, now, now);
}

function newestSource(): number {
  let newest = 0;
  const visit = (file: string) => {
    const stat = statSync(file);
    if (stat.isDirectory()) for (const entry of readdirSync(file)) visit(path.join(file, entry));
    else if (stat.mtimeMs > newest) newest = stat.mtimeMs;
  };
  for (const source of SOURCES) visit(path.join(REPO_ROOT, source));
  return newest;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
