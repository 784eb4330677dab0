/**
 * `hire-import status [LOG | PLAN]`: what a result log says now, also while an import is appending to it: the lines
 * written so far are read, and a last line still being written is left out. The total for the share and the ETA
 * comes from the input the log names, counted the way the import counts it; when that cannot be known (stdin, a
 * pipe or FIFO, a moved file, a workbook, an encoding that cannot be counted by its bytes, a long file grouped by its
 * mapping), there is none. A plan file gives every step's log, where `migrate` keeps it, each step's input and mapping
 * for its total; a step whose log does not exist yet has not started.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, UsageError } from '../errors.js';
import { lockState } from '../log/lock.js';
import { readRunEnd } from '../log/runEnd.js';
import { logInState, planTargetFolder, stateFolder } from '../log/target.js';
import { loadMapping } from '../map/loadMapping.js';
import { isPlanFile, loadPlan } from '../plan/planFile.js';
import { openSource } from '../read/source.js';
import { estimateRecords } from '../report/estimate.js';
import { LogFold, type PlanStatus, type RunView, type StatusSummary } from '../report/status.js';
import { near } from '../report/nearPath.js';
import { shellWord } from '../report/shellWord.js';

export interface StatusOptions {
  /** A result log, or a plan file (.yaml, .yml: every step's log); default: the one `*.results.jsonl` in the current folder or the state folder's targets. */
  target?: string;
  /** The mapping the import used: says whether the input is a grouped long file, and how to read it. */
  mapping?: string;
  /** A plan's rehearsal logs (`migrate --sandbox`), not its real ones. */
  sandbox: boolean;
}

export interface StatusIO {
  cwd: string;
  /** FEISHU_APP_ID and FEISHU_BASE_URL, as the import had them: which target's state holds a plan's logs. */
  env?: Record<string, string | undefined>;
  /** The wall clock: the recent rate is measured back from now. */
  now: () => Date;
  signal?: AbortSignal;
}

export async function status(options: StatusOptions, io: StatusIO): Promise<StatusSummary | PlanStatus> {
  if (options.target !== undefined && isPlanFile(options.target)) return planStatus(options.target, options, io);
  if (options.sandbox) throw new UsageError("--sandbox is for a plan: a result log is read wherever it is");
  const log = options.target ?? onlyLogIn(io.cwd);
  const logPath = resolve(io.cwd, log);
  if (!existsSync(logPath)) throw new UsageError(`${log}: no such result log`);
  return logStatus(log, logPath, options.mapping, io);
}

async function logStatus(log: string, logPath: string, mapping: string | undefined, io: StatusIO, input?: string): Promise<StatusSummary> {
  const fold = new LogFold(io.now());
  await readLines(logPath, (text, complete) => fold.line(text, complete));
  const summary = fold.summary(log, await inputTotal(input ?? fold.mainInput(), logPath, mapping, io));
  const run = runOf(logPath, summary.lastOutcomeAt, io.cwd);
  // Only a running import has an ETA: a finished or stopped one sends nothing.
  return run ? { ...summary, run, ...(run.state === 'running' ? {} : { etaSeconds: null }) } : summary;
}

/**
 * Running (its lock is held by a live import), finished, or stopped, and how to continue: from the lock and what the
 * last run wrote as it ended (log/runEnd.ts). Outcomes newer than that end, or a lock left behind, mean a run was
 * killed. Undefined for a log whose runs left no word (an older version's) and no lock.
 */
function runOf(logPath: string, lastOutcomeAt: string | null, cwd: string): RunView | undefined {
  const lock = lockState(logPath);
  if (lock === 'running') return { state: 'running' };
  const end = readRunEnd(logPath);
  const command = end && (resolve(end.cwd) === resolve(cwd) ? end.command : `cd ${shellWord(end.cwd)} && ${end.command}`);
  const killed = lock === 'abandoned' || (end !== undefined && lastOutcomeAt !== null && Date.parse(end.at) < Date.parse(lastOutcomeAt));
  if (killed) return { state: 'stopped', killed: true, ...(lastOutcomeAt ? { at: lastOutcomeAt } : {}), ...(command ? { command } : {}) };
  if (!end) return undefined;
  return end.state === 'finished' ? { state: 'finished', at: end.at } : { state: 'stopped', killed: false, at: end.at, command: command! };
}

/** Every step's status, in the plan file's order; the step's own input and mapping give its total. */
async function planStatus(planPath: string, options: StatusOptions, io: StatusIO): Promise<PlanStatus> {
  if (options.mapping) throw new UsageError('--mapping is for one result log; a plan names the mapping of every step');
  const targetFolder = planTargetFolder(options.sandbox, io);
  const plan = await loadPlan(resolve(io.cwd, planPath), ({ resource }) => join(io.cwd, logInState(targetFolder, resource)));
  const steps: PlanStatus['steps'] = [];
  for (const step of plan.steps) {
    const log = near(step.log, io.cwd);
    const named = { step: step.name, resource: step.resource };
    if (!existsSync(step.log)) steps.push({ ...named, log, started: false });
    else steps.push({ ...named, started: true, ...(await logStatus(log, step.log, step.mapping, io, step.input)) });
  }
  return { plan: planPath, steps };
}

/** The one result log here or in the state folder's targets (hire-import-state/TARGET/RESOURCE.results.jsonl). */
function onlyLogIn(folder: string): string {
  const state = join(folder, stateFolder);
  const targets = existsSync(state) ? readdirSync(state).map((target) => join(stateFolder, target)).filter((target) => statSync(join(folder, target)).isDirectory()) : [];
  const logs = ['.', ...targets].flatMap((dir) => readdirSync(join(folder, dir)).filter((name) => name.endsWith('.results.jsonl')).map((name) => join(dir, name)));
  if (logs.length === 1) return logs[0]!;
  if (logs.length === 0) throw new UsageError(`no result log (*.results.jsonl) in ${folder} or ${stateFolder}/*/; name one: hire-import status LOG`);
  throw new UsageError(`${logs.length} result logs here (${logs.join(', ')}); name one: hire-import status LOG`);
}

/** Each line of the file as it is now; the last one flagged incomplete when no newline ends it yet. */
async function readLines(path: string, onLine: (text: string, complete: boolean) => void): Promise<void> {
  const file = await open(path);
  const { size } = await file.stat();
  if (size === 0) return file.close();
  const last = Buffer.alloc(1);
  await file.read(last, 0, 1, size - 1);
  // Up to the size seen now: what an import appends meanwhile is for the next status.
  const lines = createInterface({ input: file.createReadStream({ start: 0, end: size - 1 }), crlfDelay: Infinity });
  let previous: string | undefined;
  for await (const text of lines) {
    if (previous !== undefined) onLine(previous, true);
    previous = text;
  }
  if (previous !== undefined) onLine(previous, last[0] === 0x0a);
}

type Total = { records: number } | { unknown: string };

async function inputTotal(file: string | undefined, logPath: string, mapping: string | undefined, io: StatusIO): Promise<Total> {
  if (file === undefined) return { unknown: 'the log names no input yet' };
  if (file === '-') return { unknown: 'the input was stdin' };
  // As named on the import's command line: from here, or (run from elsewhere) beside the log, its default place.
  const path = [resolve(io.cwd, file), join(dirname(logPath), basename(file))].find((candidate) => existsSync(candidate));
  if (!path) return { unknown: `${file} is neither here nor beside the log` };
  // A pipe or a FIFO gives its rows once, to the import: opening it here would wait for a writer.
  if (!statSync(path).isFile()) return { unknown: `${file} is not a regular file (a pipe or a FIFO), which is read once` };
  const spec = mapping ? await loadMapping(resolve(io.cwd, mapping)) : undefined;
  if (spec?.group) return { unknown: `${file} is a long file grouped by ${mapping}: its rows are not its records` };
  try {
    const source = await openSource({ path, format: spec?.input?.format, encoding: spec?.input?.encoding, delimiter: spec?.input?.delimiter });
    await source.close();
    if (source.sheet !== undefined) return { unknown: `${file} is a workbook, whose rows are not counted ahead` };
    const records = await estimateRecords(path, source.encoding, source.format, io.signal);
    return records === undefined ? { unknown: `${file} is ${source.encoding}, which is not counted by its bytes` } : { records };
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) return { unknown: error.message };
    throw error;
  }
}
