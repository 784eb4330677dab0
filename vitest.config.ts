import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // End-to-end tests pace real requests against a rate-limited server; two cores shared between several such
    // files would add scheduling jitter that no user sees, so files run one at a time.
    fileParallelism: false,
  },
});
