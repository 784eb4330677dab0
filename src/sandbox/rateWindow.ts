/**
 * Sliding-window rate limits like the Feishu gateway's: at most `limit` requests admitted in any `windowMs`, on one
 * or two periods at once (reaching either refuses). Only admitted requests occupy a window, so a client hammering
 * through 429s does not push its own recovery back.
 */
import type { Limit } from '../endpoints/types.js';

export type Admission = { admitted: true } | { admitted: false; resetSeconds: number; /** the limit that refused */ limit: number };

export class RateWindow {
  /** Arrival times of admitted requests, oldest first. */
  private readonly admittedAt: number[] = [];

  /** `limit` 0 means unlimited. */
  constructor(
    readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  /** Milliseconds until a request would be admitted; 0 when one would be now. */
  waitMs(now: number): number {
    if (this.limit === 0) return 0;
    while (this.admittedAt.length > 0 && this.admittedAt[0]! <= now - this.windowMs) this.admittedAt.shift();
    return this.admittedAt.length < this.limit ? 0 : this.admittedAt[0]! + this.windowMs - now;
  }

  record(now: number): void {
    if (this.limit > 0) this.admittedAt.push(now);
  }

  admit(now: number): Admission {
    return admitAll([this], now);
  }
}

/** Admitted only when every window has room; then the request occupies all of them. */
function admitAll(windows: readonly RateWindow[], now: number): Admission {
  let refusing: { window: RateWindow; waitMs: number } | undefined;
  for (const window of windows) {
    const waitMs = window.waitMs(now);
    if (waitMs > 0 && (!refusing || waitMs > refusing.waitMs)) refusing = { window, waitMs };
  }
  if (refusing) {
    // The header carries whole seconds; a client told "0" would retry at once, so never say less than 1.
    return { admitted: false, resetSeconds: Math.max(1, Math.ceil(refusing.waitMs / 1000)), limit: refusing.window.limit };
  }
  for (const window of windows) window.record(now);
  return { admitted: true };
}

/** One API's limit: a per-second window and, when the limit has one, a per-minute window. */
export class RateLimiter {
  private readonly windows: RateWindow[];

  /** Undefined: unlimited. */
  constructor(limit: Limit | undefined) {
    this.windows = limit ? [new RateWindow(limit.perSecond, 1000)] : [];
    if (limit?.perMinute) this.windows.push(new RateWindow(limit.perMinute, 60_000));
  }

  admit(now: number): Admission {
    return admitAll(this.windows, now);
  }
}
