/**
 * Progress while a plan runs, on stderr, in plain lines (several steps run at once, so no line is redrawn), each with
 * a timestamp and the step's name: the step's start line, a line every interval while it runs, a line when it ends.
 */
import type { Clock } from '../clock.js';
import { timestamp } from './format.js';
import { formatProgress, Progress, type RunHeading } from './progress.js';
import type { Tally } from './tally.js';

export interface PlanProgressOptions {
  write: (text: string) => void;
  clock: Clock;
  /** The wall clock, for the timestamps. */
  date: () => Date;
  intervalMs: number;
}

/** Starts one step's lines; returns what ends them, with the step's last line. */
export function stepProgress(options: PlanProgressOptions, step: string, tally: Tally, heading: Omit<RunHeading, 'total'>, total?: number): () => void {
  const line = (text: string) => options.write(`${timestamp(options.date())} ${step}: ${text}\n`);
  const view = { everyMs: options.intervalMs, start: line, update: line, stop: () => undefined };
  const progress = new Progress({ view, clock: options.clock, tally, total });
  progress.start(heading);
  return () => {
    progress.stop();
    line(`done · ${formatProgress(progress.snapshot())}`);
  };
}
