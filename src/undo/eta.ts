/**
 * How long an undo takes, from the delete APIs' limits: each resource's deletes are played through the pace's own
 * rules (src/send/pace.ts) on a simulated clock, so the estimate is what the pacing will do, per-minute windows
 * included (200 external applications at 20 per minute: about nine minutes, not ten seconds). The resources of one
 * level go at once (the slowest sets the level's time); levels go one after another. Pure.
 */
import type { Limit } from '../endpoints/types.js';
import { defaultMarginMs, initialPaceState, nextStartAt, recordStart, type PaceState } from '../send/pace.js';

/** One resource's deletes still to start, and its pace as it stands (a fresh one at its limit when not yet started). */
export interface PacedWork {
  count: number;
  limit: Limit;
  /** The live pace of a level under way: the estimate starts from what it has already spent. */
  pace?: PaceState;
}

/** Milliseconds from `now` until the last of `work.count` deletes may start. */
export function paceDurationMs(work: PacedWork, now: number): number {
  if (work.count === 0) return 0;
  const state = work.pace ? structuredClone(work.pace) : initialPaceState(work.limit.perSecond, defaultMarginMs, now, work.limit.perMinute);
  let last = now;
  for (let done = 0; done < work.count; done++) {
    last = Math.max(now, nextStartAt(state));
    recordStart(state, last, last);
  }
  return last - now;
}

/** The estimate for levels still to go, from `now`: the slowest resource of each level, levels one after another. */
export function undoEtaMs(levels: ReadonlyArray<readonly PacedWork[]>, now: number): number {
  return levels.reduce((total, level) => total + Math.max(0, ...level.map((work) => paceDurationMs(work, now))), 0);
}
