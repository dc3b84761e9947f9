import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // What a file leaves in process-wide state is put back before the next file of its worker.
    setupFiles: ['test/support/per-file-state.ts'],
    pool: 'forks',
    // Most of the suite waits — on child processes, PostgreSQL, locks expiring — rather than
    // computes, so it runs one file per core even on two cores (vitest's default, cores − 1,
    // ran the files one at a time there: 18 min instead of 8½).
    maxWorkers: Math.max(2, availableParallelism()),
    // Each worker keeps the modules it has loaded from one file to the next instead of loading
    // the app again for every file (about a third of the suite's CPU time). Test files start
    // from fresh databases and scratch directories of their own (test/support/backends.ts), and
    // those that change process.env or timers put them back. A file that mocks modules
    // (vi.mock) would leak its mocks into the next file: give it a project with isolate: true.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    restoreMocks: true,
    // Every suite by name, so the output shows each one ran on both [pglite] and [postgresql].
    reporters: ['tree'],
  },
});
