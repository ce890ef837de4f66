import { defineConfig } from 'vitest/config';

// One stack (API + console + simulator) and one browser per file: the journeys (in order) and the
// accessibility and console audit of every page (audit.test.ts). Files run one after the other.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
