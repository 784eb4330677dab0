import type { Clock } from '../../src/clock.js';

/**
 * Virtual time for code that only waits on its clock (no I/O): sleepers wake in the order of their times, each
 * optionally late (`lateness`, as a busy event loop wakes them), and time jumps to the next wake-up once everything
 * awake has run. `run(work)` drives `work` to its end.
 */
export function virtualClock(options: { lateness?: () => number } = {}): Clock & { run<T>(work: Promise<T>): Promise<T> } {
  let now = 0;
  let sequence = 0;
  const sleepers: Array<{ at: number; order: number; wake(): void }> = [];
  const idle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        sleepers.push({ at: now + Math.max(0, ms) + (options.lateness?.() ?? 0), order: sequence++, wake: resolve });
      }),
    async run(work) {
      let finished = false;
      const result = work.finally(() => (finished = true));
      for (;;) {
        await idle();
        if (finished) return result;
        if (sleepers.length === 0) throw new Error('virtual time: nothing left to wake, and the work is not finished');
        sleepers.sort((a, b) => a.at - b.at || a.order - b.order);
        const next = sleepers.shift()!;
        now = Math.max(now, next.at);
        next.wake();
      }
    },
  };
}
