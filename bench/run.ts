/**
 * `npm run bench`: runs every benchmark in bench/ (or those named on the command line, such as
 * `npm run bench -- webhook-burst`: the files whose names start so) in turn. A benchmark that
 * checks invariants sets process.exitCode when one fails; the others still run.
 */
import { readdirSync } from 'node:fs';

const only = process.argv.slice(2);
const files = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();

for (const file of files) {
  const module = (await import(new URL(file, import.meta.url).href)) as {
    run: () => Promise<void>;
  };
  await module.run();
}
// Libraries may keep timers alive; benchmarks are done. No code: process.exitCode, if one set it.
process.exit();
