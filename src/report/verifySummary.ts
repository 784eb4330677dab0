/** The end of a verify, in words for people (stderr); the report file is verifyReport.ts's. Pure. */
import type { Colors } from './colors.js';
import { checkStatuses, type CheckStatus } from '../readBack/checkStatus.js';
import type { StepVerification } from '../readBack/verifyStep.js';
import { count, duration, plural } from './format.js';

export interface VerifySummary {
  /** A plan file, or null for a single export. */
  plan: string | null;
  steps: StepVerification[];
  /** Over every step. */
  counts: Record<CheckStatus, number>;
  records: number;
  /** Records not checked because reading them back failed. */
  readFailures: number;
  /** The report file, when any record is not ok. */
  report: string | null;
  /** Read-back requests sent, and records verified per second of the run. */
  readRequests: number;
  elapsedMs: number;
  recordsPerSec: number;
  interrupted: boolean;
  /** Why it stopped before checking everything, when it stopped on purpose (`reached --max-duration 6h`). */
  stoppedEarly: string | null;
  /** The command that sends the export's content again for records that differ, when any do. */
  updateCommand: string | null;
  /** Things the user should know that are not counts: a log where differing records could not be noted, say. */
  notes: string[];
  ok: boolean;
}

/** Everything checkable is on Feishu as the exports say: nothing missing, differing or not imported, every read done. */
export function verified(summary: Pick<VerifySummary, 'counts' | 'readFailures' | 'interrupted' | 'stoppedEarly'>): boolean {
  const { counts } = summary;
  return !summary.interrupted && summary.stoppedEarly === null && counts.missing + counts.differs + counts['not imported'] === 0 && summary.readFailures === 0;
}

export function formatVerifySummary(summary: VerifySummary, colors: Colors): string {
  const lines: string[] = [];
  const exports = summary.steps.length === 1 ? summary.steps[0]!.file : `${summary.steps.length} exports of ${summary.plan}`;
  lines.push(
    `verify: ${plural(summary.records, 'record')} from ${exports} checked against Feishu in ${duration(summary.elapsedMs)} ` +
      `(${summary.recordsPerSec.toFixed(1)} records/s, ${plural(summary.readRequests, 'read request')})`,
  );
  const header = ['', ...checkStatuses];
  const rows = summary.steps.map((step) => [step.step, ...checkStatuses.map((status) => count(step.counts[status]))]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  for (const row of [header, ...rows]) lines.push(`  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join('  ')}`);
  const { counts } = summary;
  if (summary.report) lines.push(`report: ${summary.report} (${plural(summary.records - counts.ok, 'record')} not ok)`);
  if (counts.differs > 0) {
    lines.push(`${plural(counts.differs, 'record')} ${counts.differs === 1 ? 'differs' : 'differ'}: the log now says so, and importing again with --update-changed sends the export's content:`);
    if (summary.updateCommand) lines.push(`  ${summary.updateCommand}`);
  }
  if (counts.missing > 0) {
    lines.push(`${plural(counts.missing, 'record')} missing: logged as created, not on Feishu (deleted there?); an import does not create them again while the log says they exist`);
  }
  for (const step of summary.steps) {
    const unchecked = step.counts['not checked'] - step.readFailures;
    if (unchecked > 0) lines.push(`${step.step}: ${plural(unchecked, 'record')} not checked (the report says why); they do not change the exit code`);
    if (step.readFailures > 0) lines.push(`${step.step}: ${plural(step.readFailures, 'record')} could not be read back (the report says why); verify again`);
  }
  for (const note of summary.notes) lines.push(note);
  if (summary.interrupted) lines.push(colors.yellow('interrupted: the records not reached were not checked'));
  else if (summary.stoppedEarly) lines.push(colors.yellow(`stopped on purpose (${summary.stoppedEarly}): the records not reached were not checked`));
  else if (summary.ok) lines.push(colors.green('✔ every record checked is on Feishu as the export says'));
  else lines.push(colors.red(`✖ ${plural(counts.missing + counts.differs + counts['not imported'] + summary.readFailures, 'record')} not as the export says`));
  return `${lines.join('\n')}\n`;
}
