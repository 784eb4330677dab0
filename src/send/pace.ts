/**
 * Pacing: start requests as fast as the API allows and no faster.
 *
 * The gateway rejects a request when `limit` requests already arrived within the last second, so the hard rule here
 * is a sliding window over our own start times, widened by a small margin for the jitter between our clock and the
 * server's arrival times. Inside that window, starts are spread evenly (one every window/limit) so bursts never
 * meet the server. On a 429 the pace backs off at once (pausing until the reset, dropping to three quarters of the
 * rate, or to the server's advertised limit when it tells a lower one), widens its margin in case jitter was the
 * cause, and climbs back by one request per second each second while no 429 comes. Three quarters rather than a
 * half: a lone 429 from a moment of jitter should cost seconds, not half a minute, and a limit shared with another
 * process still pushes the rate down 429 by 429.
 *
 * The reset header is believed only within reason (at most a minute): a larger one, a negative one or none at all
 * says nothing usable, so the pace probes instead, pausing as long as the 429s have lasted so far (1 s, 1 s, 2 s,
 * 4 s, ... at most a minute). No pause is ever longer than a minute, so no timer can overflow.
 *
 * An endpoint limited on a second period too (50/s and 1000/min) gets a second sliding window over the last minute's
 * starts: reaching either limit delays the next start. Starts stay evenly spread at the per-second rate, so a burst
 * of work uses the minute's allowance at that rate and then waits for the oldest start to leave the minute.
 *
 * A start is counted when the request leaves (`Slot.left`), not when its slot was handed out: on a busy CPU the
 * moment between the two can stretch (a late timer, a queue of callbacks), and a window counted from slots would let
 * requests that left late bunch up at the server.
 */
import type { Clock } from '../clock.js';

export interface PaceOptions {
  /** Requests per second to aim for (the API's documented limit by default). */
  rate: number;
  /** The most starts in any minute, for an endpoint limited on that period too. */
  perMinute?: number;
  /** Extra milliseconds added to each one-second window; buys safety against arrival jitter. */
  marginMs?: number;
  clock: Clock;
}

export interface PaceState {
  /** Start times of the most recent requests, oldest first (at most `limit` kept). */
  starts: number[];
  /** When the previous start was planned; even spacing counts from plans, not late wake-ups. */
  lastPlanned: number;
  /** Current target rate, between 0.5 and the ceiling. */
  rate: number;
  /** The most the pace will climb back to: the configured rate, or lower if the server said so. */
  ceiling: number;
  marginMs: number;
  /** No start before this (a 429's reset). */
  pausedUntil: number;
  /** Last time the rate was lowered or raised, for the additive climb. */
  lastAdjusted: number;
  /** Requests started so far. */
  started: number;
  /** When the current run of 429s began: every answer since has been a 429. Undefined once another answer came. */
  rateLimitedSince: number | undefined;
  /** The per-minute limit, if the endpoint has one, and the start times that count against it (at most that many). */
  perMinute?: number;
  minuteStarts: number[];
}

const windowMs = 1000;
const minimumRate = 0.5;
/** How long the pace must run without a 429 before it climbs by one request per second. */
const climbEveryMs = 1000;
/** The default margin costs 1.5% of the limit; a 429 widens it, up to this. */
export const defaultMarginMs = 15;
const widestMarginMs = 60;
/**
 * The first requests of a run reach the server late (cold code paths and new connections on both sides: 70 ms
 * measured on loopback, more with TLS), so the window that counts back to them gets this much more margin.
 */
const warmUpMarginMs = 100;
const backOffFactor = 0.75;
/** The longest pause a 429 may cause, whatever its reset header says; also the longest interval between probes. */
export const longestRateLimitPauseMs = 60_000;
const minuteMs = 60_000;

export function initialPaceState(rate: number, marginMs: number, now: number, perMinute?: number): PaceState {
  return {
    starts: [], lastPlanned: -Infinity, rate, ceiling: rate, marginMs, pausedUntil: now, lastAdjusted: now, started: 0,
    rateLimitedSince: undefined, perMinute, minuteStarts: [],
  };
}

/** Requests allowed in one window at this rate, and that window's length (a fractional rate gets a longer window). */
function windowFor(rate: number, marginMs: number): { limit: number; span: number } {
  const limit = Math.max(1, Math.floor(rate));
  return { limit, span: (windowMs * limit) / rate + marginMs };
}

function gapFor(state: PaceState): number {
  return windowMs / state.rate;
}

/** The decide step: the earliest moment the next request may start (possibly already past). Pure. */
export function nextStartAt(state: PaceState): number {
  const { limit, span } = windowFor(state.rate, state.marginMs);
  const evenly = state.lastPlanned + gapFor(state);
  const warmUp = state.started - limit < limit ? warmUpMarginMs : 0;
  const window = state.starts.length >= limit ? state.starts[state.starts.length - limit]! + span + warmUp : -Infinity;
  return Math.max(state.pausedUntil, evenly, window, minuteWindow(state));
}

/**
 * When the per-minute limit lets the next request start. The warm-up margin always applies: a tenth of a second more
 * per minute costs little and covers a first request that reached the server late.
 */
function minuteWindow(state: PaceState): number {
  const { perMinute, minuteStarts } = state;
  if (perMinute === undefined || minuteStarts.length < perMinute) return -Infinity;
  return minuteStarts[minuteStarts.length - perMinute]! + minuteMs + state.marginMs + warmUpMarginMs;
}

/**
 * Records a start made at `now` for a slot planned at `planned`. A start that woke up a little late keeps the even
 * schedule (the next slot counts from the plan), but an idle pace does not bank more than one slot of catch-up.
 */
export function recordStart(state: PaceState, planned: number, now: number): void {
  state.lastPlanned = Math.max(planned, now - gapFor(state));
  state.starts.push(now);
  state.started++;
  const keep = Math.max(1, Math.floor(state.ceiling));
  if (state.starts.length > keep) state.starts.splice(0, state.starts.length - keep);
  if (state.perMinute !== undefined) {
    state.minuteStarts.push(now);
    if (state.minuteStarts.length > state.perMinute) state.minuteStarts.splice(0, state.minuteStarts.length - state.perMinute);
  }
  if (state.rate < state.ceiling && now - state.lastAdjusted >= climbEveryMs) {
    state.rate = Math.min(state.ceiling, state.rate + 1);
    state.lastAdjusted = now;
  }
}

/**
 * The request of a slot handed out at `slotAt` left at `now`: its start counts from then (in both windows), so one
 * that left late keeps the window's room taken for longer. Pure.
 */
export function recordLeft(state: PaceState, slotAt: number, now: number): void {
  moveLater(state.starts, slotAt, now);
  if (state.perMinute !== undefined) moveLater(state.minuteStarts, slotAt, now);
}

/** Replaces the latest `from` in the sorted `times` (if still kept) by the later `to`, keeping them sorted. */
function moveLater(times: number[], from: number, to: number): void {
  const at = times.lastIndexOf(from);
  if (at === -1 || to <= from) return;
  times.splice(at, 1);
  let insert = times.length;
  while (insert > 0 && times[insert - 1]! > to) insert--;
  times.splice(insert, 0, to);
}

/** How long a 429 pauses the pace: the server's reset when it is within reason, else as long as the 429s have lasted. */
export function rateLimitPauseMs(resetSeconds: number | undefined, rateLimitedForMs: number): number {
  const believable = resetSeconds !== undefined && Number.isFinite(resetSeconds) && resetSeconds >= 0 && resetSeconds * 1000 <= longestRateLimitPauseMs;
  return Math.max(1000, Math.min(longestRateLimitPauseMs, believable ? resetSeconds * 1000 : rateLimitedForMs));
}

/** A 429 arrived: pause (see rateLimitPauseMs), lower the rate, and learn the server's limit if it says one. */
export function recordRateLimited(state: PaceState, now: number, resetSeconds: number | undefined, serverLimit: number | undefined): void {
  state.rateLimitedSince ??= now;
  if (serverLimit !== undefined && serverLimit > 0 && serverLimit < state.ceiling) state.ceiling = serverLimit;
  // Several 429s from one burst arrive together; back off once per burst, not once per answer.
  if (now - state.lastAdjusted >= 250 || state.rate > state.ceiling) {
    state.rate = Math.max(minimumRate, Math.min(state.ceiling, state.rate * backOffFactor));
    state.marginMs = Math.min(widestMarginMs, state.marginMs + 10);
    state.lastAdjusted = now;
  }
  state.pausedUntil = Math.max(state.pausedUntil, now + rateLimitPauseMs(resetSeconds, now - state.rateLimitedSince));
  state.starts.length = 0;
}

/** An answer other than a 429 arrived: the server lets requests through, so a run of 429s (if any) has ended. */
export function recordAnswered(state: PaceState): void {
  state.rateLimitedSince = undefined;
}

/** For how long every answer has been a 429 (0 while the last answer was something else). */
export function rateLimitedForMs(state: PaceState, now: number): number {
  return state.rateLimitedSince === undefined ? 0 : now - state.rateLimitedSince;
}

/** A start handed out; `left()` says when its request actually left. */
export interface Slot {
  left(): void;
}

/** The act step around the pure rules: hands out start slots one at a time, in order. */
export class Pace {
  readonly state: PaceState;
  readonly #clock: Clock;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: PaceOptions) {
    this.#clock = options.clock;
    this.state = initialPaceState(options.rate, options.marginMs ?? defaultMarginMs, options.clock.now(), options.perMinute);
  }

  /**
   * Resolves when this caller may start a request; callers are served first come, first served. Call `left()` on
   * the slot as the request goes on the wire.
   */
  acquire(signal?: AbortSignal): Promise<Slot> {
    const turn = this.#queue.then(() => this.#waitForSlot(signal));
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  rateLimited(resetSeconds?: number, serverLimit?: number): void {
    recordRateLimited(this.state, this.#clock.now(), resetSeconds, serverLimit);
  }

  answered(): void {
    recordAnswered(this.state);
  }

  /** For how long every answer has been a 429. */
  rateLimitedForMs(): number {
    return rateLimitedForMs(this.state, this.#clock.now());
  }

  async #waitForSlot(signal?: AbortSignal): Promise<Slot> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = this.#clock.now();
      const planned = nextStartAt(this.state);
      if (planned <= now) {
        recordStart(this.state, planned, now);
        return { left: () => recordLeft(this.state, now, this.#clock.now()) };
      }
      // Sleep, then decide again: a 429 may have moved the goalposts meanwhile.
      await this.#clock.sleep(planned - now, signal);
    }
  }
}
