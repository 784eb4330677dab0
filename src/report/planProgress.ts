/**
 * Progress while a plan runs, on stderr, in plain lines (several steps run at once, so no line is redrawn): every
 * so often a line per step still running, and a line as each step ends, each starting with the step's name.
 */
import type { Clock } from '../clock.js';
import { formatProgress, Progress } from './progress.js';
import type { Tally } from './tally.js';

export interface PlanProgressOptions {
  write: (text: string) => void;
  clock: Clock;
  intervalMs: number;
}

export class PlanProgress {
  readonly #options: PlanProgressOptions;
  /** The steps still running, each with the counter that measures its rate. */
  readonly #running = new Map<string, Progress>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: PlanProgressOptions) {
    this.#options = options;
  }

  /** A step starts: its counts are `tally`. */
  add(step: string, tally: Tally): void {
    const { clock, intervalMs } = this.#options;
    // Used for its snapshots only: it is never started, so it writes nothing itself.
    this.#running.set(step, new Progress({ write: () => undefined, live: false, clock, intervalMs, tally }));
  }

  start(): void {
    this.#timer = setInterval(() => {
      for (const step of this.#running.keys()) this.#line(step, '');
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** The step has ended: its last line. */
  finished(step: string): void {
    if (!this.#running.has(step)) return;
    this.#line(step, ' done');
    this.#running.delete(step);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #line(step: string, what: string): void {
    this.#options.write(`${step}${what}: ${formatProgress(this.#running.get(step)!.snapshot())}\n`);
  }
}
