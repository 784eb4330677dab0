/**
 * Progress while an import runs, on stderr: a line redrawn in place on a terminal; on a pipe or a log file (cron,
 * CI) a plain line every so often, so the output stays readable there.
 */
import type { Clock } from '../clock.js';
import { count, duration, perSecond } from './format.js';
import type { Tally } from './tally.js';

export interface ProgressOptions {
  write: (text: string) => void;
  /** Redraw one line in place (a terminal) or print a line per interval (anything else). */
  live: boolean;
  clock: Clock;
  /** Between plain lines when not live. */
  intervalMs: number;
  tally: Tally;
  /** Records expected, when known in advance (an estimate from the file's lines). */
  total?: number;
}

export interface ProgressSnapshot {
  finished: number;
  total?: number;
  created: number;
  matched: number;
  skipped: number;
  invalid: number;
  failed: number;
  blocked?: number;
  /** Records finished per second over the last few seconds. */
  rate: number;
  elapsedMs: number;
}

/** One line of progress. Pure. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const { finished, total, created, matched, skipped, invalid, failed, blocked, rate, elapsedMs } = snapshot;
  const share = total ? ` (${Math.min(100, Math.floor((finished / total) * 100))}%)` : '';
  const eta = total && rate > 0 && finished < total ? ` · ETA ${duration(((total - finished) / rate) * 1000)}` : '';
  const parts = [
    `${count(finished)}${total ? `/${count(total)}` : ''}${share}`,
    `created ${count(created)}`,
    matched ? `matched ${count(matched)}` : '',
    skipped ? `skipped ${count(skipped)}` : '',
    invalid ? `invalid ${count(invalid)}` : '',
    failed ? `failed ${count(failed)}` : '',
    blocked ? `blocked ${count(blocked)}` : '',
    perSecond(rate),
    `${duration(elapsedMs)}${eta}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

const liveEveryMs = 200;
/** The rate is measured over this much recent time, so it follows a slowdown quickly. */
const rateWindowMs = 10_000;

export class Progress {
  readonly #options: ProgressOptions;
  readonly #started: number;
  readonly #samples: Array<{ at: number; finished: number }> = [];
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#started = options.clock.now();
    this.#samples.push({ at: this.#started, finished: 0 });
  }

  start(): void {
    this.#timer = setInterval(() => this.draw(), this.#options.live ? liveEveryMs : this.#options.intervalMs);
    this.#timer.unref();
  }

  snapshot(): ProgressSnapshot {
    const now = this.#options.clock.now();
    const { tally, total } = this.#options;
    const finished = tally.finished;
    this.#samples.push({ at: now, finished });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at > rateWindowMs) this.#samples.shift();
    const oldest = this.#samples[0]!;
    const rate = now > oldest.at ? ((finished - oldest.finished) * 1000) / (now - oldest.at) : 0;
    const { created, updated, matched, skipped, invalid, failed, blocked } = tally.counts;
    return {
      finished,
      total: total !== undefined ? Math.max(total, finished) : undefined,
      created: created + updated,
      matched,
      skipped,
      invalid,
      failed,
      blocked,
      rate,
      elapsedMs: now - this.#started,
    };
  }

  draw(): void {
    const line = formatProgress(this.snapshot());
    if (this.#options.live) {
      this.#options.write(`\r\x1b[2K${line}`);
      this.#drawn = true;
    } else {
      this.#options.write(`progress: ${line}\n`);
    }
  }

  /** Stops redrawing and clears the live line, so the summary starts on a clean line. */
  stop(): void {
    clearInterval(this.#timer);
    if (this.#drawn) this.#options.write('\r\x1b[2K');
  }
}
