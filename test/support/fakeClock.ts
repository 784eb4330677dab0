import type { Clock } from '../../src/clock.js';

/** A clock whose sleeps advance time at once, optionally waking up late like a busy event loop does. */
export function fakeClock(options: { start?: number; lateness?: () => number } = {}): Clock & { advance(ms: number): void } {
  let now = options.start ?? 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms + (options.lateness?.() ?? 0);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}
