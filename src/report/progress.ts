/**
 * Progress while an import runs, on stderr: on a terminal a live line (see liveLine.ts); on a pipe or a log file
 * (cron, CI) plain lines, the first naming the target, input, log and total, each with an ISO timestamp, one every
 * interval (at least a second). The share counts every record finished; the rate and the ETA count only records
 * sent, so a resume that skips a million known records shows no rate until it sends, and then the true one.
 * While sending is paused for an outage every line starts with that (since when, the next probe), and a line of its
 * own says when it paused and when it resumed, so a watcher of the live line or of a cron log sees why the rate is 0.
 */
import type { Clock } from '../clock.js';
import { formatDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { longestProbeIntervalMs, probeIntervalMs, type OutageChange, type OutageState } from '../send/outage.js';
import { count, duration, perSecond, plural, timestamp } from './format.js';
import type { Tally } from './tally.js';

export interface ProgressSnapshot {
  finished: number;
  total?: number;
  created: number;
  matched: number;
  skipped: number;
  invalid: number;
  failed: number;
  blocked?: number;
  /** Records sent per second over the last few seconds (skipped and invalid ones take no request). */
  rate: number;
  elapsedMs: number;
  /** Sending is paused because Feishu cannot be reached. */
  paused?: PauseShown;
}

/** An outage under way, in wall-clock terms. */
export interface PauseShown {
  since: Date;
  forMs: number;
  nextProbeInMs: number;
}

/** What the first line says: where records go, from where, into which log, and how many. */
export interface RunHeading {
  resource: string;
  input: string;
  /** Absent on a dry run. */
  target?: { baseUrl: string; appId: string };
  log?: string;
  total?: number;
}

/** Where progress is shown: a live line, or plain lines. */
export interface ProgressView {
  /** Milliseconds between updates. */
  readonly everyMs: number;
  start(heading: string): void;
  update(line: string): void;
  /** A line of its own that stays (sending paused, resumed), between the updates. */
  note(line: string): void;
  stop(): void;
}

/**
 * 'live' on a terminal that can redraw a line of a known width; plain 'lines' anywhere else (a pipe, a file, a
 * TERM=dumb editor shell, a pseudo-terminal with no size); 'off' with --quiet. Pure.
 */
export function progressMode(quiet: boolean, stream: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): 'live' | 'lines' | 'off' {
  if (quiet) return 'off';
  return stream.isTTY && env.TERM !== 'dumb' && (stream.columns ?? 0) > 0 ? 'live' : 'lines';
}

/** More often would flood a CI log, and nobody reads faster. */
export const minIntervalMs = 1000;

export function checkProgressInterval(ms: number): void {
  if (!Number.isFinite(ms) || ms < minIntervalMs) {
    throw new UsageError(`--progress-interval must be at least ${minIntervalMs / 1000} second, got ${ms / 1000}`);
  }
}

/** One line of progress. Pure. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const { finished, total, created, matched, skipped, invalid, failed, blocked, rate, elapsedMs, paused } = snapshot;
  const share = total ? ` (${Math.min(100, Math.floor((finished / total) * 100))}%)` : '';
  const eta = total && rate > 0 && finished < total ? ` · ETA ${duration(((total - finished) / rate) * 1000)}` : '';
  // Where and how fast first: a narrow terminal cuts the line from the end.
  const parts = [
    paused ? formatPaused(paused) : '',
    `${count(finished)}${total ? `/${count(total)}` : ''}${share}`,
    perSecond(rate),
    `${duration(elapsedMs)}${eta}`,
    `created ${count(created)}`,
    matched ? `matched ${count(matched)}` : '',
    skipped ? `skipped ${count(skipped)}` : '',
    invalid ? `invalid ${count(invalid)}` : '',
    failed ? `failed ${count(failed)}` : '',
    blocked ? `blocked ${count(blocked)}` : '',
  ];
  return parts.filter(Boolean).join(' · ');
}

/** `12:03:10 UTC`: the time of day, as the timestamps of the plain lines (UTC) would give it. */
function clockTime(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

/** What a progress line starts with while sending is paused. Pure. */
export function formatPaused(paused: PauseShown): string {
  return `paused: Feishu unreachable since ${clockTime(paused.since)} (${duration(paused.forMs)}), next probe in ${duration(paused.nextProbeInMs)}`;
}

/** The line when sending pauses. Pure. */
export function formatPause(pause: PauseShown, maxOutageMs: number): string {
  const intervals = `${[0, 1, 2].map((failed) => formatDuration(probeIntervalMs(failed))).join(', ')} ... at most ${formatDuration(longestProbeIntervalMs)} apart`;
  return (
    `Feishu unreachable since ${clockTime(pause.since)} (${duration(pause.forMs)}): sending paused, probing with one request ` +
    `${intervals}; stops after --max-outage ${formatDuration(maxOutageMs)}`
  );
}

/** The line when sending resumes, `forMs` after the failures began. Pure. */
export function formatResume(forMs: number): string {
  return `Feishu answers again after ${duration(forMs)}: sending resumed`;
}

/** The first line: `start: assessments from export.csv into https://open.feishu.cn (app cli_x) · log … · 48,000 records`. Pure. */
export function formatStart(heading: RunHeading): string {
  const { resource, input, target, log, total } = heading;
  const into = target ? ` into ${target.baseUrl} (app ${target.appId})` : ' (dry run: nothing sent)';
  const parts = [`start: ${resource} from ${input === '-' ? 'stdin' : input}${into}`, log ? `log ${log}` : '', total !== undefined ? plural(total, 'record') : 'total unknown'];
  return parts.filter(Boolean).join(' · ');
}

/** Plain lines for pipes, cron and CI, each with a timestamp from `date` (the wall clock). */
export function plainLines(write: (text: string) => void, date: () => Date, intervalMs: number): ProgressView {
  return {
    everyMs: intervalMs,
    start: (heading) => write(`${timestamp(date())} ${heading}\n`),
    update: (line) => write(`${timestamp(date())} progress: ${line}\n`),
    note: (line) => write(`${timestamp(date())} ${line}\n`),
    stop: () => {},
  };
}

/**
 * Whether sending is paused for an outage, from what the senders say (SenderOptions.onOutage): it notes a line on
 * the view when sending pauses and when it resumes, and gives the pause as of now for each progress line.
 */
export class PauseTracker {
  #outage: OutageState | undefined;

  constructor(
    private readonly view: Pick<ProgressView, 'note'>,
    private readonly clock: Clock,
    /** The wall clock, to say since when. */
    private readonly date: () => Date,
  ) {}

  readonly changed = (change: OutageChange): void => {
    const { outage } = change;
    this.#outage = change.kind === 'paused' || change.kind === 'probeFailed' ? outage : undefined;
    if (change.kind === 'paused') this.view.note(formatPause(this.#at(outage, this.clock.now()), outage.giveUpAt - outage.since));
    if (change.kind === 'resumed') this.view.note(formatResume(change.at - outage.since));
  };

  /** `{ paused }` while sending is paused, else nothing: to spread into a snapshot. */
  shown(now: number): { paused?: PauseShown } {
    return this.#outage ? { paused: this.#at(this.#outage, now) } : {};
  }

  #at(outage: OutageState, now: number): PauseShown {
    return {
      since: new Date(this.date().getTime() - (now - outage.since)),
      forMs: now - outage.since,
      nextProbeInMs: Math.max(0, outage.nextProbeAt - now),
    };
  }
}

export interface ProgressOptions {
  view: ProgressView;
  clock: Clock;
  /** The wall clock, to say since when an outage lasts. */
  date: () => Date;
  tally: Tally;
  /** Records expected, when known in advance (the file's records, counted before the run). */
  total?: number;
}

/** The rate is measured over this much recent time, so it follows a slowdown quickly. */
const rateWindowMs = 10_000;

export class Progress {
  readonly #options: ProgressOptions;
  readonly #started: number;
  readonly #samples: Array<{ at: number; sent: number }> = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #pause: PauseTracker;

  constructor(options: ProgressOptions) {
    this.#options = options;
    this.#started = options.clock.now();
    this.#samples.push({ at: this.#started, sent: 0 });
    this.#pause = new PauseTracker(options.view, options.clock, options.date);
  }

  start(heading: Omit<RunHeading, 'total'>): void {
    this.#options.view.start(formatStart({ ...heading, total: this.#options.total }));
    this.#timer = setInterval(() => this.draw(), this.#options.view.everyMs);
    this.#timer.unref();
  }

  snapshot(): ProgressSnapshot {
    const now = this.#options.clock.now();
    const { tally, total } = this.#options;
    const { finished, sent } = tally;
    this.#samples.push({ at: now, sent });
    while (this.#samples.length > 2 && now - this.#samples[1]!.at > rateWindowMs) this.#samples.shift();
    const oldest = this.#samples[0]!;
    const rate = now > oldest.at ? ((sent - oldest.sent) * 1000) / (now - oldest.at) : 0;
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
      ...this.#pause.shown(now),
    };
  }

  /** What the sender says of an outage (SenderOptions.onOutage). */
  get outageChanged(): PauseTracker['changed'] {
    return this.#pause.changed;
  }

  draw(): void {
    this.#options.view.update(formatProgress(this.snapshot()));
  }

  /** Stops updating and takes the live line away, so the summary starts on a clean line. */
  stop(): void {
    clearInterval(this.#timer);
    this.#options.view.stop();
  }
}
