import { defineConfig } from 'vitest/config';

// One migrated PGlite template and (when a PostgreSQL URL is set) one fresh database per run, made in
// globalSetup; files run one at a time because PGlite start-up is CPU-heavy on 2 cores.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
