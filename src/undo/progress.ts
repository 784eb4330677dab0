/**
 * Progress while an undo runs, shown like an import's (a live line on a terminal, timestamped plain lines
 * elsewhere): what each resource has left and the time left, estimated from the live paces of the level under way
 * and the limits of the levels after it. While deleting is paused for an outage, the line says so first, and a line
 * of its own says when it paused and resumed, as an import's does.
 */
import type { Clock } from '../clock.js';
import { count, duration } from '../report/format.js';
import { formatPaused, PauseTracker, type PauseShown, type ProgressView } from '../report/progress.js';
import { undoEtaMs, type PacedWork } from './eta.js';
import type { UndoTally } from './run.js';
import type { UndoTargets } from './targets.js';

/** The deletes of every level not finished yet, the level under way with its senders' paces. Pure. */
export function workLeft(targets: UndoTargets, tally: UndoTally): PacedWork[][] {
  return targets.levels.slice(tally.level).map((level) =>
    level.map(({ endpoint, records }) => {
      const counts = tally.byResource.get(endpoint.resource);
      const finished = counts ? counts.deleted + counts.notFound + counts.failed + counts.pending : 0;
      const pace = tally.live.get(endpoint.resource)?.paces.delete?.state;
      return { count: Math.max(0, records.length - finished), limit: endpoint.delete!.limit, ...(pace ? { pace } : {}) };
    }),
  );
}

/** One progress line, starting with the pause while deleting is paused for an outage. Pure. */
export function undoProgressLine(targets: UndoTargets, tally: UndoTally, now: number, paused?: PauseShown): string {
  const resources = targets.levels.flat().filter(({ records }) => records.length > 0);
  const done = (resource: string) => {
    const counts = tally.byResource.get(resource);
    return counts ? counts.deleted + counts.notFound : 0;
  };
  const total = resources.reduce((sum, { records }) => sum + records.length, 0);
  const deleted = resources.reduce((sum, { endpoint }) => sum + done(endpoint.resource), 0);
  const each = resources.map(({ endpoint, records }) => `${endpoint.resource} ${count(done(endpoint.resource))}/${count(records.length)}`);
  return [...(paused ? [formatPaused(paused)] : []), `${count(deleted)}/${count(total)} deleted`, ...each, `about ${duration(undoEtaMs(workLeft(targets, tally), now))} left`].join(' · ');
}

/** The undo's progress: `stop` ends it; `outageChanged` is told of its senders' outages. */
export interface UndoProgress {
  stop(): void;
  outageChanged: PauseTracker['changed'];
}

/** Shows `heading`, then a progress line every so often until stopped. */
export function startUndoProgress(options: { view: ProgressView; heading: string; clock: Clock; date: () => Date; targets: UndoTargets; tally: UndoTally }): UndoProgress {
  const { view, clock } = options;
  const pause = new PauseTracker(view, clock, options.date);
  view.start(options.heading);
  const timer = setInterval(() => {
    const now = clock.now();
    view.update(undoProgressLine(options.targets, options.tally, now, pause.shown(now).paused));
  }, view.everyMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      view.stop();
    },
    outageChanged: pause.changed,
  };
}
