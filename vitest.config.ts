import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Tests that assert on wall-clock time the product takes: they run alone, after the rest, so that
 * they measure the product and not a test file running beside it.
 */
const TIMED = ['tests/integration/engine/timer-downtime.test.ts'];

export default defineConfig({
  test: {
    // The web UI is built once (when stale) before any test: e2e tests and product starts use it.
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    // PGlite is WebAssembly with a large heap: one process per test file keeps files apart.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent' },
    projects: [
      {
        extends: true,
        // At least two files at a time: most of a file's time is spent waiting (on a server it
        // started, PostgreSQL, Chromium, timers), and vitest's default on two cores is one.
        test: {
          name: 'tests',
          include: ['tests/**/*.test.ts'],
          exclude: TIMED,
          maxWorkers: Math.max(2, availableParallelism() - 1),
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'timed', include: TIMED, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
