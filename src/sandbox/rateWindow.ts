/**
 * A sliding-window rate limit like the Feishu gateway's: at most `limit` requests admitted in any `windowMs`.
 * Only admitted requests occupy the window, so a client hammering through 429s does not push its own recovery back.
 */
export type Admission = { admitted: true } | { admitted: false; resetSeconds: number };

export class RateWindow {
  /** Arrival times of admitted requests, oldest first. */
  private readonly admittedAt: number[] = [];

  /** `limit` 0 means unlimited. */
  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  admit(now: number): Admission {
    if (this.limit === 0) return { admitted: true };
    while (this.admittedAt.length > 0 && this.admittedAt[0]! <= now - this.windowMs) this.admittedAt.shift();
    if (this.admittedAt.length < this.limit) {
      this.admittedAt.push(now);
      return { admitted: true };
    }
    // The header carries whole seconds; a client told "0" would retry at once, so never say less than 1.
    const freeInMs = this.admittedAt[0]! + this.windowMs - now;
    return { admitted: false, resetSeconds: Math.max(1, Math.ceil(freeInMs / 1000)) };
  }
}
