import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The web UI is built once (when stale) before any test: e2e tests and product starts use it.
    globalSetup: ['tests/e2e/support/global-setup.ts'],
    // PGlite is WebAssembly with a large heap: one process per test file keeps files apart.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
