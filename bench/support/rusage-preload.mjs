// Preloaded with `node --import` by bench/cli-start.ts: when the process exits, writes what it
// used (CPU microseconds, peak resident memory in KiB) as JSON to AIDEV_BENCH_RUSAGE.
import { writeFileSync } from 'node:fs';
import process from 'node:process';

const file = process.env.AIDEV_BENCH_RUSAGE;
if (file !== undefined)
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ cpuUs: usage.userCPUTime + usage.systemCPUTime, maxRssKiB: usage.maxRSS }),
    );
  });
