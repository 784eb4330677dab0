import { describe, expect, it } from 'vitest';
import { longestRateLimitPauseMs, Pace, rateLimitPauseMs } from '../../src/send/pace.js';
import { RateWindow } from '../../src/sandbox/rateWindow.js';
import { fakeClock } from '../support/fakeClock.js';
import { virtualClock } from '../support/virtualClock.js';

async function startTimes(pace: Pace, clock: { now(): number }, count: number): Promise<number[]> {
  const starts: number[] = [];
  for (let i = 0; i < count; i++) {
    await pace.acquire();
    starts.push(clock.now());
  }
  return starts;
}

/** The most starts that fall within any window of `span` ms. */
function busiestWindow(starts: number[], span: number): number {
  let most = 0;
  for (let first = 0, last = 0; last < starts.length; last++) {
    while (starts[last]! - starts[first]! >= span) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('pace', () => {
  it('never starts more than the limit within any second, even waking up late, and stays near the limit', async () => {
    let tick = 0;
    const clock = fakeClock({ lateness: () => [0, 1, 3, 0, 7][tick++ % 5]! });
    const pace = new Pace({ rate: 20, marginMs: 10, clock });
    const starts = await startTimes(pace, clock, 2000);
    expect(busiestWindow(starts, 1000)).toBe(20);
    expect(busiestWindow(starts, 1010)).toBeLessThanOrEqual(20);
    const rate = ((starts.length - 1) * 1000) / (starts.at(-1)! - starts[0]!);
    expect(rate).toBeGreaterThan(19.5);
    expect(rate).toBeLessThanOrEqual(20);
  });

  it('gives the first window extra room, since the first requests reach the server late', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 20, marginMs: 0, clock });
    const starts = await startTimes(pace, clock, 60);
    expect(starts[20]! - starts[0]!).toBe(1100);
    expect(starts[40]! - starts[20]!).toBe(1000);
  });

  it('spreads starts evenly instead of bursting', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 20, marginMs: 0, clock });
    const starts = await startTimes(pace, clock, 5);
    expect(starts).toEqual([0, 50, 100, 150, 200]);
  });

  it('handles a fractional rate', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 2.5, marginMs: 0, clock });
    const starts = await startTimes(pace, clock, 10);
    const afterWarmUp = starts.slice(4).map((start) => start - starts[4]!);
    expect(afterWarmUp).toEqual([0, 400, 800, 1200, 1600, 2000]);
  });

  it('pauses for the reset after a 429, drops to the advertised limit and never climbs above it', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 20, marginMs: 0, clock });
    await startTimes(pace, clock, 3);
    const limitedAt = clock.now();
    pace.rateLimited(2, 10);
    await pace.acquire();
    expect(clock.now()).toBeGreaterThanOrEqual(limitedAt + 2000);
    expect(pace.state.rate).toBe(10);
    await startTimes(pace, clock, 200);
    expect(pace.state.rate).toBe(10);
  });

  it('drops to three quarters on a 429 without a limit header, once per burst, then climbs back to the configured rate', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 20, marginMs: 0, clock });
    await startTimes(pace, clock, 40);
    pace.rateLimited(1);
    pace.rateLimited(1);
    pace.rateLimited(1);
    expect(pace.state.rate).toBe(15);
    expect(pace.state.marginMs).toBe(10); // widened once, in case arrival jitter caused it
    const starts = await startTimes(pace, clock, 400);
    expect(pace.state.rate).toBe(20);
    expect(busiestWindow(starts, 1000)).toBeLessThanOrEqual(20);
  });

  it('on two periods (50/s and 1000/min) starts 1000 in the first minute at the per-second pace, then waits for the minute', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 50, perMinute: 1000, marginMs: 0, clock });
    const starts = await startTimes(pace, clock, 2500);
    expect(starts[999]! - starts[0]!).toBeLessThan(21_000); // spread at 50/s, not bunched, not stretched over the minute
    expect(busiestWindow(starts.slice(0, 1000), 1000)).toBe(50);
    expect(starts[1000]! - starts[0]!).toBeGreaterThanOrEqual(60_000);
    expect(starts[1000]! - starts[0]!).toBeLessThan(60_200);
    expect(busiestWindow(starts, 60_000)).toBe(1000);
    expect(busiestWindow(starts, 1000)).toBe(50);
    expect(starts[2000]! - starts[1000]!).toBeGreaterThanOrEqual(60_000); // every minute alike
  });

  it('keeps the minute\'s count through a 429 (which forgets only the second\'s window)', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 50, perMinute: 100, marginMs: 0, clock });
    const starts = await startTimes(pace, clock, 100);
    pace.rateLimited(1);
    await pace.acquire();
    expect(clock.now() - starts[0]!).toBeGreaterThanOrEqual(60_000);
  });

  it('serves concurrent callers one slot each, in order', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 10, marginMs: 0, clock });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((n) => pace.acquire().then(() => order.push(n))));
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.now()).toBe(300);
  });

  it('believes a reset header only within a minute: a huge, negative or unreadable one pauses as long as the 429s have lasted', () => {
    expect(rateLimitPauseMs(3, 0)).toBe(3000);
    expect(rateLimitPauseMs(60, 0)).toBe(60_000);
    expect(rateLimitPauseMs(0, 0)).toBe(1000);
    for (const reset of [999_999, 3_000_000, 61, -5, Number.NaN, Infinity, undefined]) {
      expect(rateLimitPauseMs(reset, 0)).toBe(1000);
      expect(rateLimitPauseMs(reset, 7000)).toBe(7000);
      expect(rateLimitPauseMs(reset, 10 * 60_000)).toBe(longestRateLimitPauseMs);
    }
  });

  it('probes a rate limit that does not lift at growing intervals, never more than a minute apart, and forgets it on another answer', async () => {
    const clock = fakeClock();
    const pace = new Pace({ rate: 20, marginMs: 0, clock });
    const gaps: number[] = [];
    for (let probe = 0; probe < 12; probe++) {
      const before = clock.now();
      await pace.acquire();
      gaps.push(clock.now() - before);
      pace.rateLimited(999_999); // the header of a used-up quota, believed by nobody
    }
    expect(gaps.slice(1)).toEqual([1000, 1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    expect(pace.rateLimitedForMs()).toBe(gaps.reduce((sum, gap) => sum + gap, 0) - gaps[0]!);
    pace.answered();
    expect(pace.rateLimitedForMs()).toBe(0);
    await pace.acquire();
    pace.rateLimited(999_999);
    expect(pace.state.pausedUntil - clock.now()).toBe(1000);
  });
});

describe('pace on a busy CPU (virtual time, so the outcome does not depend on the machine)', () => {
  /** Requests sent by `workers` callers at once; each leaves `lag()` after its slot (a busy event loop), then waits for its answer. */
  async function arrivals(options: { workers: number; requests: number; lag: () => number; lateness: () => number; countWhenLeft: boolean }) {
    const clock = virtualClock({ lateness: options.lateness });
    const pace = new Pace({ rate: 20, clock });
    const server = new RateWindow(20); // the sandbox's rule: at most 20 arrivals in any sliding second
    const arrived: number[] = [];
    let refused = 0;
    let next = 0;
    const worker = async () => {
      while (next < options.requests) {
        next++;
        const slot = await pace.acquire();
        await clock.sleep(options.lag());
        if (options.countWhenLeft) slot.left();
        arrived.push(clock.now());
        if (!server.admit(clock.now()).admitted) refused++;
        await clock.sleep(50); // the answer's latency
      }
    };
    await clock.run(Promise.all(Array.from({ length: options.workers }, worker)));
    return { arrived, refused, rate: ((arrived.length - 1) * 1000) / (arrived.at(-1)! - arrived[0]!) };
  }

  /** A fixed sequence of delays between 0 and `most` ms, the same on every run. */
  function delays(most: number): () => number {
    let seed = 7;
    return () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * most);
    };
  }

  it('counts a request when it leaves, so requests that leave late never bunch into a 429', async () => {
    const run = await arrivals({ workers: 10, requests: 300, lag: delays(60), lateness: delays(20), countWhenLeft: true });
    expect(run.refused).toBe(0);
    expect(run.rate).toBeGreaterThan(18);
  });

  it('would meet 429s if it counted starts when the slots were handed out', async () => {
    const run = await arrivals({ workers: 10, requests: 300, lag: delays(60), lateness: delays(20), countWhenLeft: false });
    expect(run.refused).toBeGreaterThan(0);
  });
});
