import { defineConfig } from 'vitest/config';

/** The file that proves a run paced at the limit meets no 429. */
const pacedAtTheLimit = 'test/e2e/resilience.test.ts';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Four files at a time on two cores. Most of an end-to-end file's wall time is spent waiting (on pacing, on the
    // latency the sandbox adds, on a subprocess), and with the CLI in-process there are few start-ups to fight over:
    // the whole suite, nearly quiet machine (load 2-3), 103 s with 2 workers, 92 s with 3, 76 s with 4, for the same
    // ~70 s of CPU. No test asserts a timing; the one file whose pacing must meet no 429 runs alone (below).
    fileParallelism: true,
    maxWorkers: 4,
    projects: [
      // Unit tests share their workers' loaded modules (re-importing src/ for each of ~50 files cost more CPU than
      // the tests did); each one undoes what it stubs, so none sees another's state.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      // The end-to-end files too, now that the CLI runs in-process and keeps no module state: a fresh fork per file
      // re-imported src/ and the sandbox each time, half of these files' CPU (12.6 -> 6.4 s user over 8 of them).
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: [pacedAtTheLimit], isolate: false } },
      // Alone, after the rest: its sandbox (in the test's own process) stamps each arrival when its event loop gets
      // to it, so a second file's load on the core would bunch arrivals together and fake a 429.
      { extends: true, test: { name: 'e2e-paced', include: [pacedAtTheLimit], maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
