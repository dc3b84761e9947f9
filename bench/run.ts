/** `npm run bench`: runs every benchmark in bench/ (or those named on the command line) in turn. */
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
// Libraries may keep timers alive; benchmarks are done.
process.exit(0);
