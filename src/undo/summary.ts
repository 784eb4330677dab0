/**
 * An undo in words: what it will delete and where (the confirmation question, the refusal without one), how long
 * that takes at the delete APIs' limits, and what it did (the summary on stderr; --json prints the same object on
 * stdout). Pure: colour comes from the caller (see report/colors.ts).
 */
import { endpointFor } from '../endpoints/registry.js';
import type { DeletedEntry } from '../log/resultLog.js';
import type { Colors } from '../report/colors.js';
import { count, duration, plural, resourceCount } from '../report/format.js';
import type { DeleteProblem, ResourceCounts } from './run.js';
import type { LeftRecords } from './targets.js';

/** Where the deletes go. */
export interface UndoTarget {
  baseUrl: string;
  appId: string | undefined;
}

/** How many records of a resource are to go; `carriedBy` when they go with their parents. */
export interface PlannedCount {
  resource: string;
  count: number;
  carriedBy?: string;
}

export interface UndoSummary {
  target: UndoTarget;
  dryRun: boolean;
  interrupted: boolean;
  /** The estimate made before the first delete, from the delete APIs' limits. */
  etaMs: number;
  elapsedMs: number;
  planned: PlannedCount[];
  /** What happened to each resource planned (absent on a dry run). */
  done: Record<string, ResourceCounts>;
  heldBack: string[];
  left: LeftRecords[];
  /**
   * Records an import sent and stopped before their answers were logged (intents with no outcome): they may exist,
   * and the log has no Feishu id to delete them by. While any may, the undo does not report a clean tenant.
   */
  mayExist: LeftRecords[];
  /** Records found rather than made by this tool (matched talents): never deleted. */
  matched: Record<string, number>;
  problems: DeleteProblem[];
  /** Said once, under the counts (what a single log leaves to its children's logs, say). */
  notes: string[];
  logs: string[];
  /** Deletions the log could not take (a full disk): printed so none goes unaccounted for. */
  unlogged: DeletedEntry[];
}

/** "300 interviews, 300 assessments (with their interviews), 200 applications"; nothing to delete: "nothing". */
export function plannedText(planned: readonly PlannedCount[]): string {
  const parts = planned.filter((one) => one.count > 0).map((one) => `${resourceCount(one.count, one.resource)}${one.carriedBy ? ` (with their ${one.carriedBy})` : ''}`);
  return parts.length > 0 ? parts.join(', ') : 'nothing';
}

/** The `baseUrl` of a rehearsal's undo: its sandbox has a new port every run, and no app of the user's. */
export const sandboxUrl = 'sandbox';

function targetText(target: UndoTarget): string {
  return target.baseUrl === sandboxUrl ? 'the sandbox' : `${target.baseUrl} (app ${target.appId ?? 'not set'})`;
}

/** What must be typed to confirm, and its name in the question: the app id, or for a rehearsal the word sandbox. */
export function confirmation(target: UndoTarget): { word: string; named: string } {
  return target.appId === undefined ? { word: sandboxUrl, named: `'${sandboxUrl}'` } : { word: target.appId, named: 'the app id' };
}

/** The question a terminal is asked; the answer must be the app id (a rehearsal's: sandbox). */
export function confirmQuestion(planned: readonly PlannedCount[], target: UndoTarget): string {
  return `Delete ${plannedText(planned)} from ${targetText(target)}? Type ${confirmation(target).named} to confirm: `;
}

/** The first progress line: `start: undo: 300 interviews, … from https://open.feishu.cn (app cli_x) · about 9m32s`. */
export function undoHeading(planned: readonly PlannedCount[], target: UndoTarget, etaMs: number): string {
  return `start: undo: ${plannedText(planned)} from ${targetText(target)} · about ${duration(etaMs)}`;
}

/** Why nothing was deleted without a terminal to ask and without --yes, and how to confirm. */
export function unconfirmedMessage(planned: readonly PlannedCount[], target: UndoTarget, etaMs: number): string {
  return (
    `undo would delete ${plannedText(planned)} from ${targetText(target)} (about ${duration(etaMs)}); nothing was deleted. ` +
    'To confirm, run the same command with --yes, or in a terminal to be asked; --dry-run shows what would go'
  );
}

/** The per-minute delete limits that set the pace, where more records than a minute's worth go: "external applications: 20 per minute". */
export function slowLimits(planned: readonly PlannedCount[]): string[] {
  return planned.flatMap((one) => {
    const limit = one.carriedBy ? undefined : endpointFor(one.resource)?.delete?.limit;
    return limit?.perMinute && one.count > limit.perMinute ? [`${endpointFor(one.resource)!.title}s: ${limit.perMinute} per minute`] : [];
  });
}

export function undoSucceeded(summary: UndoSummary): boolean {
  return deletesDone(summary) && summary.mayExist.length === 0;
}

/** Every delete planned was done: a rerun of the undo has nothing more to do. */
function deletesDone(summary: UndoSummary): boolean {
  return !summary.interrupted && Object.values(summary.done).every((counts) => counts.failed === 0 && counts.pending === 0);
}

const tableRows = 20;

/** The summary for people; `stopped` says an error ended the run early (the caller prints it after). */
export function formatUndoSummary(summary: UndoSummary, colors: Colors, stopped = false): string {
  const ok = !stopped && undoSucceeded(summary);
  const eta = `about ${duration(summary.etaMs)} at the delete APIs' limits`;
  const slow = slowLimits(summary.planned);
  const limits = slow.length > 0 ? ` (${slow.join(', ')})` : '';
  const lines: string[] = [];
  if (summary.dryRun) {
    lines.push(`undo (dry run: nothing deleted): would delete ${plannedText(summary.planned)} from ${targetText(summary.target)}`);
    if (summary.planned.some((one) => one.count > 0)) lines.push(`  ${eta}${limits}`);
  } else {
    const mark = summary.interrupted ? colors.yellow('■ interrupted') : ok ? colors.green('✔') : colors.red('✖');
    lines.push(`${mark} undo: ${plannedText(summary.planned)} from ${targetText(summary.target)} in ${duration(summary.elapsedMs)} (estimated ${duration(summary.etaMs)})`);
    for (const one of summary.planned) {
      const done = summary.done[one.resource];
      if (done) lines.push(`  ${one.resource}: ${resourceLine(one, done, summary.heldBack.includes(one.resource), colors)}`);
    }
  }
  for (const left of summary.left) lines.push(`  ${left.resource}: ${count(left.count)} left: ${left.reason}`);
  for (const maybe of summary.mayExist) lines.push(colors.yellow(`  ${maybe.resource}: ${count(maybe.count)} may exist: ${maybe.reason}`));
  for (const [resource, matched] of Object.entries(summary.matched)) {
    lines.push(`  ${resource}: ${count(matched)} matched (they existed before the import): never deleted`);
  }
  for (const note of summary.notes) lines.push(`  ${note}`);
  if (summary.problems.length > 0) lines.push(...problemTable(summary.problems, colors));
  if (summary.logs.length > 0) lines.push(`  result log${summary.logs.length > 1 ? 's' : ''}: ${summary.logs.join(', ')}`);
  if (!summary.dryRun && (stopped || !deletesDone(summary))) lines.push('  run the same command again to continue; nothing is deleted twice');
  if (summary.unlogged.length > 0) {
    lines.push(colors.red(`  ${plural(summary.unlogged.length, 'deletion')} could not be written to the result log; append these lines to it before running again:`));
    lines.push(...summary.unlogged.map((entry) => `unlogged: ${JSON.stringify(entry)}`));
  }
  return `${lines.join('\n')}\n`;
}

function resourceLine(planned: PlannedCount, done: ResourceCounts, heldBack: boolean, colors: Colors): string {
  const parts: string[] = [];
  if (planned.carriedBy) {
    const title = endpointFor(planned.resource)?.title ?? planned.resource;
    if (done.withParent > 0) parts.push(`${count(done.withParent)} deleted with their ${planned.carriedBy} (the API has no delete for ${title}s)`);
    if (done.pending > 0) parts.push(colors.yellow(`${count(done.pending)} logged as deleted once every one of their ${planned.carriedBy} is`));
    return parts.join(' · ') || 'nothing to delete';
  }
  parts.push(`deleted ${count(done.deleted + done.notFound)}${done.notFound > 0 ? ` (${count(done.notFound)} already gone)` : ''}`);
  if (done.failed > 0) parts.push(colors.red(`failed ${count(done.failed)}`));
  if (done.pending > 0) parts.push(colors.yellow(`not deleted ${count(done.pending)}${heldBack ? ': their children go first, and some could not be deleted' : ''}`));
  return parts.join(' · ');
}

function problemTable(problems: readonly DeleteProblem[], colors: Colors): string[] {
  const shown = problems.slice(0, tableRows).map((problem) => `    ${problem.resource} ${problem.externalId} (id ${problem.id}): ${problem.code} ${problem.msg}${problem.logId ? ` [log id ${problem.logId}]` : ''}`);
  const more = problems.length > shown.length ? [`    … and ${count(problems.length - shown.length)} more`] : [];
  return [colors.red('  failed deletes:'), ...shown, ...more];
}
