/** The end of an import, in words for people (stderr) and as JSON for machines (stdout with --json). */
import chalk from 'chalk';
import type { LogEntry } from '../log/resultLog.js';
import { describeTarget, type Target } from '../log/target.js';
import type { Counts, RecordProblem } from './tally.js';
import { count, duration } from './format.js';

export interface ImportSummary {
  /** The resource imported: talents, applications, interviews, assessments, offers, background-checks. */
  resource: string;
  /** Where the records went (or would go): the base URL and app id, or the sandbox. */
  target: Target;
  file: string;
  /** The result log, or null on a dry run (which writes nothing). */
  log: string | null;
  /** The rejects file, when any record was rejected. */
  rejects: string | null;
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
  requests: number;
  retries: number;
  rateLimited: number;
  /** Tokens fetched after the first (renewed before expiry, or after the server refused one). */
  tokenRenewals: number;
  /** Tokens the server refused mid-run. */
  tokensRefused: number;
  /** Request latency percentiles in milliseconds (null when nothing was sent). */
  latency: { p50Ms: number | null; p99Ms: number | null };
  elapsedMs: number;
  /** Created, updated and matched per second of the run. */
  sendRate: number;
  /** The first problems found, for the table (all of them are in the log). */
  problems: RecordProblem[];
  /** Outcomes the result log could not take (a full disk): printed so that no created record goes unaccounted for. */
  unlogged: LogEntry[];
}

/** What each outcome the log could not take is printed after, alone on its line, so it can be cut out and appended. */
export const unloggedPrefix = 'unlogged: ';

export function importSucceeded(summary: ImportSummary): boolean {
  const { invalid, failed } = summary.counts;
  return !summary.interrupted && !summary.stoppedEarly && invalid === 0 && failed === 0 && summary.pending === 0;
}

const tableRows = 20;

/**
 * The summary for people. `rerun` is the command that imports the rejects file into the same log; `stopped` says an
 * error ended the run early (the caller prints it after the summary).
 */
export function formatSummary(summary: ImportSummary, rerun?: string, stopped = false): string {
  const { counts } = summary;
  const ok = !stopped && importSucceeded(summary);
  const mark = summary.interrupted ? chalk.yellow('■ interrupted') : ok ? chalk.green('✔') : chalk.red('✖');
  const lines = [`${mark} ${summary.resource}: ${count(counts.read)} records from ${summary.file} into ${describeTarget(summary.target)} in ${duration(summary.elapsedMs)}${summary.dryRun ? ' (dry run: nothing sent)' : ''}`];
  const outcome = summary.dryRun
    ? [`would create ${count(summary.wouldCreate)}`, summary.wouldUpdate ? `would update ${count(summary.wouldUpdate)}` : '']
    : [`created ${count(counts.created)}`, counts.updated ? `updated ${count(counts.updated)}` : '', counts.matched ? `matched ${count(counts.matched)}` : ''];
  outcome.push(
    `already done ${count(counts.skipped)}`,
    counts.invalid ? chalk.red(`invalid ${count(counts.invalid)}`) : 'invalid 0',
    counts.failed ? chalk.red(`failed ${count(counts.failed)}`) : '',
    summary.pending ? chalk.yellow(`not sent ${count(summary.pending)}`) : '',
  );
  lines.push(`  ${outcome.filter(Boolean).join(' · ')}`);
  if (!summary.dryRun && summary.requests > 0) {
    lines.push(
      `  ${count(summary.requests)} requests · ${summary.sendRate.toFixed(1)} records/s · latency p50 ${summary.latency.p50Ms?.toFixed(0)} ms, p99 ${summary.latency.p99Ms?.toFixed(0)} ms · retries ${count(summary.retries)} · rate-limited ${count(summary.rateLimited)}`,
    );
  }
  if (summary.stoppedEarly) lines.push(chalk.red(`  stopped early: ${summary.stoppedEarly}`));
  if (summary.problems.length > 0) lines.push(...problemTable(summary.problems, counts.invalid + counts.failed));
  if (summary.log) lines.push(`  result log: ${summary.log}`);
  if (summary.rejects) {
    lines.push(`  rejected records, in the input's own format: ${summary.rejects}`);
    if (rerun) lines.push(`  fix them there, then: ${rerun}`);
  }
  if (summary.interrupted || summary.pending) lines.push('  run the same command again to continue; nothing is sent twice');
  if (summary.unlogged.length > 0) lines.push(...unloggedLines(summary.unlogged, summary.log));
  return `${lines.join('\n')}\n`;
}

function unloggedLines(unlogged: LogEntry[], log: string | null): string[] {
  const sed = `sed -n 's/^${unloggedPrefix}//p' saved-stderr >> ${log ?? 'LOG'}`;
  return [
    chalk.red(`  ${count(unlogged.length)} outcome(s) could not be written to the result log; each follows on a line of its own after '${unloggedPrefix}'.`),
    chalk.red(`  Once the log can be written, append them to it before running again (${sed}), or a record they name as created is created again.`),
    ...unlogged.map((entry) => `${unloggedPrefix}${JSON.stringify(entry)}`),
  ];
}

function problemTable(problems: RecordProblem[], total: number): string[] {
  const shown = problems.slice(0, tableRows);
  const rows = shown.map((problem) => [String(problem.line), problem.external_id ?? '', problem.field, problem.reason]);
  const header = ['line', 'external_id', 'field', 'reason'];
  const widths = header.map((title, column) => Math.min(40, Math.max(title.length, ...rows.map((row) => width(row[column]!)))));
  const render = (row: string[]) => `    ${row.map((cell, column) => (column < 3 ? pad(clip(cell, widths[column]!), widths[column]!) : cell)).join('  ')}`;
  const lines = [chalk.dim(render(header)), ...rows.map(render)];
  if (total > shown.length) lines.push(chalk.dim(`    … and ${count(total - shown.length)} more in the result log`));
  return lines;
}

/** Display width: CJK characters take two columns in a terminal. */
function width(text: string): number {
  let columns = 0;
  for (const char of text) columns += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return columns;
}

function clip(text: string, columns: number): string {
  if (width(text) <= columns) return text;
  let clipped = '';
  for (const char of text) {
    if (width(clipped + char) > columns - 1) break;
    clipped += char;
  }
  return `${clipped}…`;
}

function pad(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - width(text)));
}
