import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time. Most of an end-to-end file's wall time is spent waiting (on pacing, on latency the
    // sandbox adds, on npm), so a second file fills those gaps; more would fight over CI's two cores for the CLI's
    // start-ups. No test asserts a timing, and the pacing tests keep a margin against jitter.
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      // Unit tests share their workers' loaded modules (re-importing src/ for each of ~50 files cost more CPU than
      // the tests did); each one undoes what it stubs, so none sees another's state.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
