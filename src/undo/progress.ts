/**
 * Progress while an undo runs, shown like an import's (a live line on a terminal, timestamped plain lines
 * elsewhere): what each resource has left and the time left, estimated from the live paces of the level under way
 * and the limits of the levels after it.
 */
import type { Clock } from '../clock.js';
import { count, duration } from '../report/format.js';
import type { ProgressView } from '../report/progress.js';
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

/** One progress line. Pure. */
export function undoProgressLine(targets: UndoTargets, tally: UndoTally, now: number): string {
  const resources = targets.levels.flat().filter(({ records }) => records.length > 0);
  const done = (resource: string) => {
    const counts = tally.byResource.get(resource);
    return counts ? counts.deleted + counts.notFound : 0;
  };
  const total = resources.reduce((sum, { records }) => sum + records.length, 0);
  const deleted = resources.reduce((sum, { endpoint }) => sum + done(endpoint.resource), 0);
  const each = resources.map(({ endpoint, records }) => `${endpoint.resource} ${count(done(endpoint.resource))}/${count(records.length)}`);
  return [`${count(deleted)}/${count(total)} deleted`, ...each, `about ${duration(undoEtaMs(workLeft(targets, tally), now))} left`].join(' · ');
}

/** Shows `heading`, then a progress line every so often until stopped. */
export function startUndoProgress(options: { view: ProgressView; heading: string; clock: Clock; targets: UndoTargets; tally: UndoTally }): () => void {
  const { view } = options;
  view.start(options.heading);
  const timer = setInterval(() => view.update(undoProgressLine(options.targets, options.tally, options.clock.now())), view.everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    view.stop();
  };
}
