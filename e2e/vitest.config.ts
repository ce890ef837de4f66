import { defineConfig } from 'vitest/config';

// One stack (API + console + simulator) and one browser for all journeys, which run in order.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
