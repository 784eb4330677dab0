/**
 * `hire-import undo migration.yaml` (every step's result log) or `hire-import undo LOG --resource R` (one log): the
 * composition root of an undo, for rehearsal tenants. It locks and reads the logs, works out what this tool created
 * and in which order it goes (src/undo/targets.ts), asks for confirmation, deletes, and returns a summary; printing
 * it and choosing the exit code are the caller's business. Nothing is deleted without --yes or a confirmation typed
 * on a terminal, and a dry run only counts and estimates.
 */
import { existsSync, statSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { endpointFor, endpoints, resourceNames } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { lockResultLog } from '../log/lock.js';
import { readResultLog, ResultLog, type DeletedEntry, type LogHistory } from '../log/resultLog.js';
import { checkLogTarget, targetOf } from '../log/target.js';
import { isPlanFile, loadPlan } from '../plan/planFile.js';
import { ReadBack, readerOf, readRequests } from '../readBack/readBack.js';
import { undoEtaMs } from '../undo/eta.js';
import { startUndoProgress } from '../undo/progress.js';
import { runUndo, UndoTally } from '../undo/run.js';
import { confirmation, confirmQuestion, sandboxUrl, unconfirmedMessage, undoHeading, type UndoSummary } from '../undo/summary.js';
import { carrierOf, deleteCounts, undoTargets, type UndoSource, type UndoTargets } from '../undo/targets.js';
import { checkProgressInterval } from '../report/progress.js';
import {
  checkConnectionOptions,
  checkRunLimits,
  connect,
  deadlineSignal,
  defaultStepLog,
  lockSandboxState,
  newSender,
  progressView,
  stoppedOnPurposeError,
  tailNotice,
  type Connection,
  type ImportIO,
  type ConnectionOptions,
  type RunLimits,
} from './import.js';

export interface UndoOptions extends ConnectionOptions, RunLimits {
  /** A plan file (.yaml, .yml: every step's log) or one result log. */
  target: string;
  /** The resource of a single log; default: the one its lines name. Not for a plan. */
  resource?: string;
  /** Delete without asking. */
  yes: boolean;
  dryRun: boolean;
  /** A rehearsal: the logs of `--sandbox` runs, deleted from the sandbox that keeps its records beside them. */
  sandbox: boolean;
  progress: 'live' | 'lines' | 'off';
  progressIntervalMs: number;
}

export interface UndoIO {
  stderr(text: string): void;
  signal: AbortSignal;
  clock: Clock;
  random: () => number;
  /** Asks on the terminal and resolves with the line typed; absent unless stdin and stderr are both terminals. */
  ask?: (question: string) => Promise<string>;
  /** Where a live progress line is drawn, when stderr is a terminal. */
  terminal?: ImportIO['terminal'];
}

/**
 * The records of each log an import sent and never logged an answer for (intents with no outcome): the server may
 * hold them, and no Feishu id says which to delete.
 */
function mayExist(sources: readonly UndoSource[], histories: ReadonlyMap<string, LogHistory>): UndoSummary['mayExist'] {
  const shown = 5;
  return sources.flatMap(({ resource, log }) => {
    const keys = [...(histories.get(log)?.intents.values() ?? [])].filter((intent) => intent.resource === resource).map((intent) => intent.external_id);
    if (keys.length === 0) return [];
    const named = `${keys.slice(0, shown).join(', ')}${keys.length > shown ? `, and ${keys.length - shown} more in ${log}` : ''}`;
    const reason =
      'an import sent them and stopped before their answers were logged, so the log has no Feishu id to delete them by; ' +
      `look for them in Feishu Hire (external_id ${named}) and delete any there by hand`;
    return [{ resource, count: keys.length, reason }];
  });
}

/** The summary, and the error that stopped the undo early, if one did. */
export type UndoResult = UndoSummary & { stop?: Error };

export async function undo(options: UndoOptions, io: UndoIO): Promise<UndoResult> {
  checkOptions(options);
  const started = io.clock.now();
  const cleanup: Array<() => unknown> = []; // undone in reverse order however the undo ends
  try {
    const logs = await logsOf(options);
    const histories = new Map<string, LogHistory>();
    for (const { log } of logs) {
      if (!existsSync(log)) continue; // a step that never ran created nothing
      if (!options.dryRun) {
        const lock = await lockResultLog(log, io.stderr); // before reading it, so no import appends meanwhile
        cleanup.push(() => lock.release());
      }
      const history = await readResultLog(log);
      if (history.damagedTail) io.stderr(tailNotice(log, history.damagedTail, options.dryRun));
      histories.set(log, history);
    }
    const sources = logs.map(({ resource, log }): UndoSource => ({ resource: resource ?? resourceOf(log, histories.get(log)), log, created: histories.get(log)?.known.createdRecords() ?? [] }));
    if (!isPlanFile(options.target)) checkLogResources(sources[0]!, histories.get(sources[0]!.log));
    // Ids from another tenant's or app's log would delete whatever they name there.
    for (const source of sources) checkLogTarget(source.log, histories.get(source.log)?.header, targetOf(options), source.resource);
    const targets = undoTargets(sources);
    const planned = deleteCounts(targets);
    const etaMs = undoEtaMs(targets.levels.map((level) => level.map(({ endpoint, records }) => ({ count: records.length, limit: endpoint.delete!.limit }))), io.clock.now());
    const target = options.sandbox ? { baseUrl: sandboxUrl, appId: undefined } : { baseUrl: options.baseUrl, appId: options.appId };
    const summary: UndoSummary = {
      target,
      dryRun: options.dryRun,
      interrupted: false,
      etaMs,
      elapsedMs: 0,
      planned,
      done: {},
      heldBack: [],
      left: targets.left,
      mayExist: mayExist(sources, histories),
      matched: Object.fromEntries(targets.matched),
      problems: [],
      notes: isPlanFile(options.target) ? [] : singleLogNotes(sources[0]!, targets),
      logs: logs.map(({ log }) => log),
      unlogged: [],
    };
    if (!isPlanFile(options.target) && planned.every((one) => one.count === 0) && targets.left.length > 0) {
      const [left] = targets.left;
      throw new UsageError(`${options.target}: ${left!.count} ${left!.resource}: ${left!.reason}; nothing was deleted`);
    }
    if (options.dryRun || planned.every((one) => one.count === 0)) return { ...summary, elapsedMs: io.clock.now() - started };

    if (!options.yes && !io.ask) throw new UsageError(unconfirmedMessage(planned, target, etaMs));
    const sandboxState = options.sandbox ? await lockSandboxState(logs[0]!.log, io, cleanup) : undefined;
    const connection = await connect({ ...options, sandboxState }, io);
    cleanup.push(() => connection.close());
    if (!options.yes) await confirm(io.ask!, confirmQuestion(planned, target), confirmation(target));

    const heading = undoHeading(planned, target, etaMs);
    return { ...summary, ...(await deleteAll(targets, histories, connection, heading, options, io, cleanup)), elapsedMs: io.clock.now() - started };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/** Deletes, level by level; the counts by resource, what the logs could not take, and what stopped it early. */
async function deleteAll(
  targets: UndoTargets,
  histories: ReadonlyMap<string, LogHistory>,
  connection: Connection,
  heading: string,
  options: UndoOptions,
  io: UndoIO,
  cleanup: Array<() => unknown>,
): Promise<Pick<UndoResult, 'done' | 'heldBack' | 'problems' | 'interrupted' | 'unlogged' | 'stop'>> {
  const open = new Map<string, ResultLog<DeletedEntry>>();
  const logFor = (path: string) => {
    let log = open.get(path);
    if (!log) {
      log = ResultLog.open<DeletedEntry>(path, histories.get(path)!.end);
      open.set(path, log);
      cleanup.push(() => log!.close());
    }
    return log;
  };
  const tally = new UndoTally();
  // Deleting stops at --max-duration as on Ctrl-C; only the exit code tells them apart.
  const deadline = deadlineSignal(options.maxDurationMs, io, cleanup);
  const signal = AbortSignal.any([io.signal, deadline]);
  const progress =
    options.progress === 'off' ? undefined : startUndoProgress({ view: await progressView(options, io), heading, clock: io.clock, date: () => new Date(), targets, tally });
  try {
    const { stop: failure } = await runUndo({
      targets,
      tally,
      senderFor: (endpoint) => newSender(endpoint, connection, options, { ...io, signal, onOutage: progress?.outageChanged }),
      logFor,
      signal,
      isGone: goneByReadBack(new ReadBack(readRequests((reader) => newSender(reader, connection, options, { ...io, signal })))),
    });
    // A deadline that passed once everything was deleted stopped nothing.
    const left = [...tally.byResource.values()].some((counts) => counts.pending > 0);
    const stop = failure ?? (deadline.aborted && !io.signal.aborted && left ? stoppedOnPurposeError(options.maxDurationMs!) : undefined);
    return {
      done: Object.fromEntries(tally.byResource),
      heldBack: [...tally.heldBack],
      problems: tally.problems,
      interrupted: io.signal.aborted,
      unlogged: [...open.values()].flatMap((log) => log.unwritten),
      ...(stop ? { stop } : {}),
    };
  } finally {
    progress?.stop();
  }
}

/**
 * Whether a record whose delete was refused is gone, read back by its id (true), or why that cannot be said. Only
 * a read-back that finds it absent counts: the refusal itself is no documented not-found.
 */
function goneByReadBack(readBack: ReadBack): (endpoint: EndpointDescription, id: string) => Promise<true | string> {
  return async (endpoint, id) => {
    const reader = readerOf(endpoint);
    if (!reader || reader.readBack?.kind === 'listByParent') {
      return `not documented as "not found", and ${endpoint.title}s cannot be read back by id alone to tell: check it in Feishu`;
    }
    try {
      const read = await readBack.byIds(endpoint, [{ id }]);
      if (read.found.has(id)) return 'it is still there, read back by its id';
      const why = read.unread.get(id);
      return why === undefined ? true : `not documented as "not found", and reading it back failed: ${why}`;
    } catch (error) {
      // Read inside a parent the log does not name: nothing to read it in.
      return `not documented as "not found", and it could not be read back: ${(error as Error).message}`;
    }
  };
}

async function confirm(ask: (question: string) => Promise<string>, question: string, { word, named }: { word: string; named: string }): Promise<void> {
  const typed = (await ask(question)).trim();
  if (typed !== word) throw new UsageError(`${typed === '' ? 'nothing was typed' : `'${typed}' is not ${named}`}: not confirmed, nothing was deleted`);
}

/** The logs to undo: every step's of a plan, or the one given. */
async function logsOf(options: UndoOptions): Promise<Array<{ resource?: string; log: string }>> {
  if (!isPlanFile(options.target)) {
    if (!existsSync(options.target)) throw new UsageError(`${options.target}: no such result log`);
    return [{ resource: options.resource, log: options.target }];
  }
  if (options.resource) throw new UsageError('--resource is for one result log; a plan names the resource of every step');
  const plan = await loadPlan(options.target, defaultStepLog(targetOf(options)));
  return plan.steps.map((step) => ({ resource: step.resource, log: step.log }));
}

/** The resource a single log's lines name, when --resource does not say. */
function resourceOf(log: string, history: LogHistory | undefined): string {
  const named = [...(history?.resources ?? [])];
  if (named.length === 1) return named[0]!;
  if (named.length === 0) throw new UsageError(`${log} names no resource (it is empty): say which with --resource ${resourceNames.join('|')}`);
  throw new UsageError(`${log} holds records of ${named.join(' and ')}: say which to undo with --resource`);
}

/** A log undone as the wrong resource would send its ids to another API, which would answer "not found" for each. */
function checkLogResources(source: UndoSource, history: LogHistory | undefined): void {
  const others = [...(history?.resources ?? [])].filter((resource) => resource !== source.resource);
  if (others.length > 0) throw new UsageError(`${source.log} holds ${others.join(' and ')} records, not ${source.resource}: check --resource`);
}

/** What undoing one log leaves in other logs: records of its children that go with its records. */
function singleLogNotes(source: UndoSource, targets: UndoTargets): string[] {
  const deleted = targets.levels.flat().some(({ records }) => records.length > 0);
  if (!deleted) return [];
  return endpoints
    .filter((child) => !child.delete && carrierOf(child)?.resource === source.resource)
    .map((child) => `${child.resource} created for these ${source.resource} go with them, but their own result log still counts them as created: undo the plan to log them as deleted too`);
}

function checkOptions(options: UndoOptions): void {
  if (options.resource !== undefined && !endpointFor(options.resource)) {
    throw new UsageError(`unknown resource '${options.resource}'; one of ${resourceNames.join(', ')}`);
  }
  checkConnectionOptions(options);
  checkRunLimits(options);
  checkProgressInterval(options.progressIntervalMs);
  // The app chooses the logs and the records: without it an undo would look in no app's state and find "nothing".
  if (!options.sandbox && !options.appId) {
    throw new ConfigError('FEISHU_APP_ID is not set (or --app-id): undo deletes what this tool created in one app, so it needs to know which; a rehearsal\'s records: --sandbox');
  }
  if (existsSync(options.target) && statSync(options.target).isDirectory()) throw new UsageError(`${options.target} is a folder, not a plan or a result log`);
}
