/**
 * `hire-import status`: what a result log says, folded one line at a time into the current state of each record
 * (a record created once stays created, whatever later lines say, as for the import itself), and put in words.
 * The fold and the formatting are pure: the command reads the file and gives them the time.
 */
import { isHeaderLike, isIntent, isLogEntry, logStatuses, type DeletedEntry, type LogEntry, type LogStatus } from '../log/resultLog.js';
import type { Colors } from './colors.js';
import { count, duration, plural, timestamp } from './format.js';
import { ProblemGroups, type ProblemGroup } from './problemGroups.js';
import { formatProblemGroups } from './summary.js';

export interface StatusSummary {
  log: string;
  /** The input files named in the log, most lines first (an import's input, then its rejects files). */
  inputs: Array<{ file: string; lines: number }>;
  /** Outcome lines read, and lines that are not JSON outcomes (a torn last line is neither). */
  lines: number;
  unreadable: number;
  /** Distinct records, each counted under its current state. */
  records: number;
  counts: Record<LogStatus, number>;
  /** Records the main input holds, when it can be known; else null and `totalUnknown` says why. */
  total: number | null;
  totalUnknown?: string;
  lastOutcomeAt: string | null;
  /** Records sent per second over the last `rateWindowMinutes` (null when fewer than two were sent then). */
  recentRate: number | null;
  rateWindowMinutes: number;
  /** Seconds to send the records not yet in the log at the recent rate; null without a total or a rate. */
  etaSeconds: number | null;
  /** Records whose current state is failed, invalid or blocked, grouped by reason. */
  problemGroups: ProblemGroup[];
  /** Whether an import is writing the log now, finished it or stopped; absent when its runs left no word of that. */
  run?: RunView;
}

/**
 * `stopped`: `killed` when the run ended without a word (kill -9, a crash, its machine went down); `at` is when it
 * stopped (for a killed one, its last outcome); `command` continues it, when the run that stopped said.
 */
export type RunView = { state: 'running' } | { state: 'finished'; at: string } | { state: 'stopped'; killed: boolean; at?: string; command?: string };

/** `status PLAN`: each step's status in the plan file's order; a step whose log does not exist yet has not started. */
export interface PlanStatus {
  plan: string;
  steps: Array<{ step: string; resource: string } & ({ started: false; log: string } | ({ started: true } & StatusSummary))>;
}

export const rateWindowMinutes = 5;

type Failing = Pick<LogEntry, 'status' | 'file' | 'line' | 'field' | 'msg' | 'code'>;

/** Folds result-log lines, in the order written, into the state of each record. */
export class LogFold {
  readonly #now: number;
  readonly #records = new Map<string, LogStatus | Failing>();
  readonly #files = new Map<string, number>();
  #lines = 0;
  #unreadable = 0;
  #lastAt = -Infinity;
  #recent = { sent: 0, first: Infinity, last: -Infinity };

  /** `now` bounds the window of the recent rate. */
  constructor(now: Date) {
    this.#now = now.getTime();
  }

  /** One line of the log; `complete` is false for a last line with no newline yet (an import mid-write). */
  line(text: string, complete = true): void {
    if (!text.trim()) return;
    const entry = parseEntry(text);
    if (entry === 'header') return;
    if (entry === 'intent') return; // a create about to be sent: its outcome line tells what became of it
    if (!entry) {
      if (complete) this.#unreadable++;
      return;
    }
    this.#lines++;
    const at = Date.parse(entry.at);
    if (at > this.#lastAt) this.#lastAt = at;
    if (entry.status === 'deleted') {
      this.#records.set(entry.external_id, 'deleted'); // an undo's: no longer created, until a later create
      return;
    }
    this.#files.set(entry.file, (this.#files.get(entry.file) ?? 0) + 1);
    // Invalid records were not sent; a `differs` line is verify's finding, not a request.
    if (entry.status !== 'invalid' && entry.status !== 'differs' && at >= this.#now - rateWindowMinutes * 60_000) {
      this.#recent.sent++;
      this.#recent.first = Math.min(this.#recent.first, at);
      this.#recent.last = Math.max(this.#recent.last, at);
    }
    const key = entry.external_id ?? `${entry.file}:${entry.line}`;
    const current = this.#records.get(key);
    const done = current === 'created' || current === 'updated' || current === 'matched';
    if (entry.status === 'created' || entry.status === 'updated' || entry.status === 'matched') this.#records.set(key, entry.status);
    else if (!done) this.#records.set(key, { status: entry.status, file: entry.file, line: entry.line, field: entry.field, msg: entry.msg, code: entry.code });
  }

  /** The main input: the file with the most lines (a rejects file holds only the records that were refused). */
  mainInput(): string | undefined {
    return this.#inputs()[0]?.file;
  }

  summary(log: string, total: { records: number } | { unknown: string }): StatusSummary {
    const counts = Object.fromEntries(logStatuses.map((status) => [status, 0])) as Record<LogStatus, number>;
    const failing: Failing[] = [];
    for (const state of this.#records.values()) {
      if (typeof state === 'string') counts[state]++;
      else {
        counts[state.status]++;
        failing.push(state);
      }
    }
    const inputs = this.#inputs();
    const groups = new ProblemGroups();
    failing.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    for (const record of failing) {
      for (const problem of problemsOf(record)) groups.add({ ...problem, line: record.line, file: inputs.length > 1 ? record.file : undefined });
    }
    const { sent, first, last } = this.#recent;
    const recentRate = sent >= 2 && last > first ? Number((((sent - 1) * 1000) / (last - first)).toFixed(2)) : null;
    const records = this.#records.size;
    const remaining = 'records' in total ? Math.max(0, total.records - records) : 0;
    return {
      log,
      inputs,
      lines: this.#lines,
      unreadable: this.#unreadable,
      records,
      counts,
      total: 'records' in total ? total.records : null,
      ...('unknown' in total ? { totalUnknown: total.unknown } : {}),
      lastOutcomeAt: Number.isFinite(this.#lastAt) ? new Date(this.#lastAt).toISOString() : null,
      recentRate,
      rateWindowMinutes,
      etaSeconds: recentRate && remaining > 0 ? Math.round(remaining / recentRate) : null,
      problemGroups: groups.list(),
    };
  }

  #inputs(): Array<{ file: string; lines: number }> {
    return [...this.#files].map(([file, lines]) => ({ file, lines })).sort((a, b) => b.lines - a.lines);
  }
}

/**
 * A result line the fold can use: one of the log's results (as the import reads them) that says where and when. The
 * header (what the log belongs to) is none, and no damage either.
 */
function parseEntry(text: string): LogEntry | DeletedEntry | 'header' | 'intent' | undefined {
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (isHeaderLike(entry)) return 'header';
  if (isIntent(entry)) return 'intent';
  if (!isLogEntry(entry) || typeof entry.at !== 'string') return undefined;
  if (entry.status === 'deleted') return typeof entry.external_id === 'string' ? entry : undefined;
  return typeof entry.file === 'string' && typeof entry.line === 'number' ? entry : undefined;
}

/**
 * The problems a failing line records, as the import's summary has them: a server's answer as `(server)`, an
 * invalid record's `field: reason; field: reason` message split back into its problems.
 */
function problemsOf(record: Failing): Array<{ field: string; reason: string }> {
  if (record.status === 'failed') return [{ field: '(server)', reason: `${record.code}: ${record.msg ?? ''}` }];
  const parts = (record.msg ?? '').split(/; (?=[^\s:;]+: )/);
  return parts.map((part) => {
    const colon = part.indexOf(': ');
    return colon > 0 ? { field: part.slice(0, colon), reason: part.slice(colon + 2) } : { field: record.field ?? '(record)', reason: part };
  });
}

/** The status in words. `now` says how long ago the last outcome was. Pure. */
export function formatStatus(status: StatusSummary, colors: Colors, now: Date): string {
  const { counts, total, run } = status;
  const from = status.inputs.map((input) => input.file).join(', ') || 'no input yet';
  // A finished import read its whole input: a share below 100% would only count rows folded into others.
  const share = run?.state === 'finished' ? ' (done)' : total ? ` of ${count(total)} (${Math.min(100, Math.floor((status.records / total) * 100))}%)` : '';
  const lines = [`${status.log}: ${plural(status.records, 'record')}${share} from ${from}`];
  const states = [
    `created ${count(counts.created)}`,
    counts.updated ? `updated ${count(counts.updated)}` : '',
    counts.matched ? `matched ${count(counts.matched)}` : '',
    counts.deleted ? `deleted by an undo ${count(counts.deleted)}` : '',
    counts.failed ? colors.red(`failed ${count(counts.failed)}`) : 'failed 0',
    counts.invalid ? colors.red(`invalid ${count(counts.invalid)}`) : 'invalid 0',
    counts.blocked ? colors.red(`blocked ${count(counts.blocked)}`) : '',
  ];
  lines.push(`  ${states.filter(Boolean).join(' · ')}`);
  const ago = (at: string) => `${timestamp(new Date(at))} (${duration(Math.max(0, now.getTime() - Date.parse(at)))} ago)`;
  if (run?.state === 'finished') lines.push(`  done: the import finished ${ago(run.at)}`);
  else if (run?.state === 'stopped') {
    const how = run.killed ? ' without finishing (killed, or its machine went down)' : '';
    lines.push(`  stopped${run.at ? ` ${ago(run.at)}` : ''}${how}; nothing is sending now`);
    lines.push(`  to continue: ${run.command ?? 'run the same import command again'}`);
  } else if (status.lastOutcomeAt) {
    const at = new Date(status.lastOutcomeAt);
    const pace = status.recentRate !== null
      ? `${status.recentRate.toFixed(1)} records/s sent over the last ${status.rateWindowMinutes} minutes`
      : `nothing sent in the last ${status.rateWindowMinutes} minutes`;
    const eta = status.etaSeconds !== null ? ` · ETA ${duration(status.etaSeconds * 1000)}` : '';
    lines.push(`  ${run?.state === 'running' ? 'running · ' : ''}last outcome ${timestamp(at)} (${duration(Math.max(0, now.getTime() - at.getTime()))} ago) · ${pace}${eta}`);
  }
  if (status.totalUnknown && run?.state !== 'finished') lines.push(colors.dim(`  no total, so no ETA: ${status.totalUnknown}`));
  if (status.unreadable) lines.push(colors.yellow(`  ${plural(status.unreadable, 'line')} of the log ${status.unreadable === 1 ? 'is' : 'are'} not outcomes and were skipped`));
  if (status.problemGroups.length > 0) lines.push('  failed and invalid now, by reason:', ...formatProblemGroups(status.problemGroups, colors, '    '));
  return `${lines.join('\n')}\n`;
}

/** A plan's status in words: each step's, headed by its name, or that it has not started. Pure. */
export function formatPlanStatus(status: PlanStatus, colors: Colors, now: Date): string {
  const started = status.steps.filter((step) => step.started).length;
  const lines = [`${status.plan}: ${started} of ${status.steps.length} steps started`];
  for (const step of status.steps) {
    const name = step.step === step.resource ? step.step : `${step.step} (${step.resource})`;
    if (!step.started) lines.push(colors.dim(`${name}: not started (no ${step.log} yet)`));
    else lines.push(`${name}: ${formatStatus(step, colors, now).trimEnd()}`);
  }
  return `${lines.join('\n')}\n`;
}
