/**
 * Outages: when the service stops answering altogether (the host unreachable, every answer a 5xx or a network
 * error), retrying each record on its own would spend every record's tries in minutes and fail good records. So a
 * run of transient failures from several distinct requests, with no answer in between, is taken for an outage:
 * requests stop going out, ONE request at a time probes at growing intervals (1 s, 2 s, 4 s ... at most a minute
 * apart), the waiting requests taking turns, and the first answer ends the outage and lets everyone go again.
 * Failures during an outage cost no record a try. Once the outage has lasted `maxOutageMs` (counted from the first
 * failure of the run), every waiting request is told to stop.
 *
 * Distinct requests, because one record that keeps failing on its own (a body the server chokes on) is that record's
 * problem, not an outage. Pure rules over a clock: no timers of its own, no I/O.
 */
import type { Clock } from '../clock.js';

export interface OutageOptions {
  clock: Clock;
  /** How long an outage may last before the run stops. */
  maxOutageMs: number;
  /** Distinct requests failing in a row, with no answer between, that make an outage. */
  threshold?: number;
  /** Counters the caller reports: outages entered, and milliseconds spent in them. */
  stats?: { outages: number; outageMs: number };
}

/** What a request may do: go now (as the probe, in an outage), or not at all (the outage lasted too long, or the caller stopped). */
export type Admission = 'send' | 'stop' | 'aborted';

/** Long enough to ride out a deploy or a network blip unattended; short enough that a dead route is noticed. */
export const defaultMaxOutageMs = 15 * 60_000;
export const defaultOutageThreshold = 5;
const firstProbeMs = 1000;
export const longestProbeIntervalMs = 60_000;

/** The wait before the next probe, after `failedProbes` probes failed: 1 s, 2 s, 4 s ... at most a minute. */
export function probeIntervalMs(failedProbes: number): number {
  return Math.min(longestProbeIntervalMs, firstProbeMs * 2 ** failedProbes);
}

interface Outage {
  /** When the failures began: the outage's length counts from here. */
  since: number;
  /** When it was recognised: the pause counts from here. */
  entered: number;
  failedProbes: number;
  nextProbeAt: number;
  /** The request sent (or about to be) as the probe, if one is. */
  prober: object | undefined;
  /** Requests waiting, oldest first: the oldest probes next. */
  queue: object[];
  /** Aborted when the outage ends or is given up, to wake a prober sleeping until its turn. */
  over: AbortController;
}

export class OutageWatch {
  readonly #options: OutageOptions;
  readonly #threshold: number;
  /** The requests that failed since the last answer, and when the first of them did. */
  #failing = new Set<object>();
  #failingSince = 0;
  #outage: Outage | undefined;
  #gaveUp = false;
  #lastFailure = '';
  #waiters: Array<() => void> = [];
  readonly #watched = new WeakSet<AbortSignal>();

  constructor(options: OutageOptions) {
    this.#options = options;
    this.#threshold = options.threshold ?? defaultOutageThreshold;
  }

  /** Whether requests are held back now. */
  get active(): boolean {
    return this.#outage !== undefined;
  }

  /** The last failure seen, in words, for the message when the run stops. */
  get lastFailure(): string {
    return this.#lastFailure;
  }

  /** An answer came (anything but a transient failure): the service is reachable, whatever it said. */
  answered(): void {
    this.#failing.clear();
    const outage = this.#outage;
    if (!outage) return;
    this.#outage = undefined;
    this.#end(outage);
  }

  /**
   * A transient failure of `request` (any object that stays the same across its tries). True when the service is
   * taken to be out, so the failure costs the request nothing: it waits in `admit` instead of backing off.
   */
  failed(request: object, reason: string): boolean {
    const now = this.#options.clock.now();
    this.#lastFailure = reason;
    const outage = this.#outage;
    if (outage) {
      if (outage.prober === request) {
        outage.prober = undefined;
        outage.nextProbeAt = now + probeIntervalMs(++outage.failedProbes);
        this.#wakeAll();
      }
      return true;
    }
    if (this.#failing.size === 0) this.#failingSince = now;
    this.#failing.add(request);
    if (this.#failing.size < this.#threshold) return false;
    this.#outage = { since: this.#failingSince, entered: now, failedProbes: 0, nextProbeAt: now + probeIntervalMs(0), prober: undefined, queue: [], over: new AbortController() };
    if (this.#options.stats) this.#options.stats.outages++;
    return true;
  }

  /**
   * Before `request` goes out. At once when no outage is on; in one, when it is this request's turn to probe (or
   * the outage ended meanwhile). 'stop' once the outage has lasted `maxOutageMs`; 'aborted' when `signal` is.
   */
  async admit(request: object, signal: AbortSignal): Promise<Admission> {
    try {
      for (;;) {
        if (this.#gaveUp) return 'stop';
        const outage = this.#outage;
        if (!outage) return 'send';
        if (signal.aborted) return 'aborted';
        if (!outage.queue.includes(request)) outage.queue.push(request);
        if (outage.prober === undefined && outage.queue[0] === request) {
          outage.queue.shift();
          outage.prober = request;
          return await this.#probeWhenDue(outage, signal);
        }
        await this.#nextChange(signal);
      }
    } finally {
      const queue = this.#outage?.queue;
      const at = queue?.indexOf(request) ?? -1;
      if (at !== -1) queue!.splice(at, 1);
    }
  }

  async #probeWhenDue(outage: Outage, signal: AbortSignal): Promise<Admission> {
    const { clock, maxOutageMs } = this.#options;
    const giveUpAt = outage.since + maxOutageMs;
    const wakeAt = Math.min(outage.nextProbeAt, giveUpAt);
    await clock.sleep(Math.max(0, wakeAt - clock.now()), AbortSignal.any([signal, outage.over.signal]));
    if (this.#outage !== outage) return this.#gaveUp ? 'stop' : 'send'; // it ended meanwhile: go like everyone
    if (signal.aborted) {
      outage.prober = undefined;
      this.#wakeAll();
      return 'aborted';
    }
    if (clock.now() >= giveUpAt) {
      this.#gaveUp = true;
      this.#end(outage);
      return 'stop';
    }
    return 'send';
  }

  #end(outage: Outage): void {
    if (this.#options.stats) this.#options.stats.outageMs += Math.round(this.#options.clock.now() - outage.entered);
    outage.over.abort();
    this.#wakeAll();
  }

  /** Resolves at the next change, or when `signal` aborts (one listener per signal, however many wait on it). */
  #nextChange(signal: AbortSignal): Promise<void> {
    if (!this.#watched.has(signal)) {
      this.#watched.add(signal);
      signal.addEventListener('abort', () => this.#wakeAll(), { once: true });
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
