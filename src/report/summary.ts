/**
 * The end of an import, in words for people (stderr) and as JSON for machines (stdout with --json). Problems are
 * grouped by reason, a line per reason with its count and first lines; colour comes from the caller (see colors.ts).
 */
import { ExitCode, exitCodeFor } from '../errors.js';
import type { LogEntry } from '../log/resultLog.js';
import { describeTarget, type Target } from '../log/target.js';
import type { Colors } from './colors.js';
import { count, duration, plural } from './format.js';
import type { ProblemGroup, RecordProblem } from './problemGroups.js';
import type { Counts } from './tally.js';

export interface ImportSummary {
  /** The resource imported: talents, applications, interviews, assessments, offers, background-checks. */
  resource: string;
  /** Where the records went (or would go): the base URL and app id, or the sandbox. */
  target: Target;
  file: string;
  /** The mapping's warnings (a column no value reads, ...), printed before the records were read. */
  warnings: string[];
  /** The result log, or null on a dry run (which writes nothing). */
  log: string | null;
  /** The rejects file, when any record was rejected. */
  rejects: string | null;
  /** Rejects files edited since they were written, kept as they are; `rejects` then has a new name. */
  rejectsKept: string[];
  dryRun: boolean;
  /** Stopped by Ctrl-C or SIGTERM. */
  interrupted: boolean;
  /** Why reading stopped before the end of the input, if it did (--max-errors). */
  stoppedEarly: string | null;
  counts: Counts;
  /** Read but not finished because the run was interrupted (or stopped by a fatal answer): a rerun sends them. */
  pending: number;
  /** Records a dry run would create and update. */
  wouldCreate: number;
  wouldUpdate: number;
  /** Of the failed, those that gave up on the server or the network: not in the rejects file; a rerun retries them. */
  retryable: number;
  requests: number;
  retries: number;
  rateLimited: number;
  /** Tokens fetched after the first (renewed before expiry, or after the server refused one). */
  tokenRenewals: number;
  /** Tokens the server refused mid-run. */
  tokensRefused: number;
  /** Times sending paused because nothing answered (an outage), and how long those pauses lasted in all. */
  outages: number;
  outageMs: number;
  /** Request latency percentiles in milliseconds (null when nothing was sent). */
  latency: { p50Ms: number | null; p99Ms: number | null };
  elapsedMs: number;
  /** Created, updated and matched per second of the run. */
  sendRate: number;
  /** The first problems found, one by one (all of them are in the log). */
  problems: RecordProblem[];
  /** Every problem, grouped by field and reason, most records first. */
  problemGroups: ProblemGroup[];
  /** Outcomes the result log could not take (a full disk): printed so that no created record goes unaccounted for. */
  unlogged: LogEntry[];
}

/** What each outcome the log could not take is printed after, alone on its line, so it can be cut out and appended. */
export const unloggedPrefix = 'unlogged: ';

/** An import's exit code: the error that stopped it, Ctrl-C, records left to fix, or success. */
export function importExitCode(summary: ImportSummary & { stop?: Error }): number {
  if (summary.stop) return exitCodeFor(summary.stop);
  if (summary.interrupted) return ExitCode.interrupted;
  return importSucceeded(summary) ? ExitCode.ok : ExitCode.recordsFailed;
}

export function importSucceeded(summary: ImportSummary): boolean {
  const { invalid, failed, blocked } = summary.counts;
  return !summary.interrupted && !summary.stoppedEarly && invalid === 0 && failed === 0 && blocked === 0 && summary.pending === 0;
}

/** Reasons listed in the summary; the rest are counted, and all are in the JSON summary and the log. */
const reasonsShown = 10;

/**
 * The summary for people. `rerun` is the command that imports the rejects file into the same log; `stopped` says an
 * error ended the run early (the caller prints it after the summary).
 */
export function formatSummary(summary: ImportSummary, colors: Colors, rerun?: string, stopped = false): string {
  const { counts } = summary;
  const ok = !stopped && importSucceeded(summary);
  const mark = summary.interrupted ? colors.yellow('■ interrupted') : ok ? colors.green('✔') : colors.red('✖');
  const lines = [`${mark} ${summary.resource}: ${plural(counts.read, 'record')} from ${summary.file} into ${describeTarget(summary.target)} in ${duration(summary.elapsedMs)}${summary.dryRun ? ' (dry run: nothing sent)' : ''}`];
  const outcome = summary.dryRun
    ? [`would create ${count(summary.wouldCreate)}`, summary.wouldUpdate ? `would update ${count(summary.wouldUpdate)}` : '']
    : [`created ${count(counts.created)}`, counts.updated ? `updated ${count(counts.updated)}` : '', counts.matched ? `matched ${count(counts.matched)}` : ''];
  outcome.push(
    `skipped ${count(counts.skipped)}`,
    counts.invalid ? colors.red(`invalid ${count(counts.invalid)}`) : 'invalid 0',
    counts.failed ? colors.red(`failed ${count(counts.failed)}`) : '',
    counts.blocked ? colors.red(`blocked ${count(counts.blocked)}`) : '',
    summary.pending ? colors.yellow(`not sent ${count(summary.pending)}`) : '',
    counts.duplicates ? `exact duplicate rows ${count(counts.duplicates)} (counted once)` : '',
  );
  lines.push(`  ${outcome.filter(Boolean).join(' · ')}`);
  if (summary.warnings.length > 0) lines.push(colors.yellow(`  ${count(summary.warnings.length)} mapping warning${summary.warnings.length > 1 ? 's' : ''}, printed before the records were read: data the mapping may be leaving out`));
  if (!summary.dryRun && summary.requests > 0) {
    lines.push(
      `  ${count(summary.requests)} requests · ${summary.sendRate.toFixed(1)} records/s · latency p50 ${summary.latency.p50Ms?.toFixed(0)} ms, p99 ${summary.latency.p99Ms?.toFixed(0)} ms · retries ${count(summary.retries)} · rate-limited ${count(summary.rateLimited)}`,
    );
  }
  if (summary.outages > 0) {
    lines.push(`  Feishu could not be reached ${plural(summary.outages, 'time')}, ${duration(summary.outageMs)} in all: sending paused and probed, no record spent its tries on it`);
  }
  if (summary.stoppedEarly) lines.push(colors.red(`  stopped early: ${summary.stoppedEarly}`));
  if (summary.problemGroups.length > 0) lines.push(`  problems, by reason:`, ...formatProblemGroups(summary.problemGroups, colors, '    '));
  if (summary.log) lines.push(`  result log: ${summary.log}`);
  if (summary.rejects) {
    if (summary.rejectsKept.length > 0) lines.push(colors.yellow(`  ${keptNote(summary.rejectsKept, summary.rejects)}`));
    lines.push(`  rejected records, in the input's own format, each with its reason: ${summary.rejects}`);
    if (rerun) lines.push(`  fix them there, then: ${rerun}`);
  }
  if (summary.retryable > 0) {
    lines.push(`  ${count(summary.retryable)} failed on the server or the network, not on their content (they are not in the rejects file): run the same command again to retry them`);
  }
  if (summary.interrupted || summary.pending) lines.push('  run the same command again to continue; nothing is sent twice');
  if (summary.unlogged.length > 0) lines.push(...unloggedLines(summary.unlogged, summary.log, colors));
  return `${lines.join('\n')}\n`;
}

/** `export.rejects.csv was edited since it was written: kept it; this run's rejects are in export.rejects-2.csv`. */
function keptNote(kept: string[], rejects: string): string {
  const one = kept.length === 1;
  return `${kept.join(', ')} ${one ? 'was' : 'were'} edited since ${one ? 'it was' : 'they were'} written: kept ${one ? 'it' : 'them'}; this run's rejects are in ${rejects}`;
}

function unloggedLines(unlogged: LogEntry[], log: string | null, colors: Colors): string[] {
  const sed = `sed -n 's/^${unloggedPrefix}//p' saved-stderr >> ${log ?? 'LOG'}`;
  return [
    colors.red(`  ${plural(unlogged.length, 'outcome')} could not be written to the result log; each follows on a line of its own after '${unloggedPrefix}'.`),
    colors.red(`  Once the log can be written, append them to it before running again (${sed}), or a record they name as created is created again.`),
    ...unlogged.map((entry) => `${unloggedPrefix}${JSON.stringify(entry)}`),
  ];
}

/**
 * A line per group, most records first: `conclusion: 'passed' is not one of … — 312 records, lines 14, 15, 88, …`.
 * Shared by the import's summary and `status`. Pure.
 */
export function formatProblemGroups(groups: ProblemGroup[], colors: Colors, indent: string): string[] {
  const lines = groups.slice(0, reasonsShown).map((group) => {
    const values = group.values ? ` (e.g. ${group.values.join(', ')})` : '';
    const where = `${group.lines.length > 1 ? 'lines' : 'line'} ${group.lines.join(', ')}${group.count > group.lines.length ? ', …' : ''}`;
    return `${indent}${colors.red(`${group.field}:`)} ${group.reason}${values} — ${plural(group.count, 'record')}, ${where}${group.file ? ` of ${group.file}` : ''}`;
  });
  const hidden = groups.slice(reasonsShown);
  if (hidden.length > 0) {
    const records = hidden.reduce((sum, group) => sum + group.count, 0);
    lines.push(colors.dim(`${indent}… and ${count(hidden.length)} more reasons (${plural(records, 'record')}): see the result log`));
  }
  return lines;
}
