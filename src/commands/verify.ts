/**
 * `hire-import verify RESOURCE FILE` and `hire-import verify PLAN`: the composition root of a verify. It finds the
 * exports, mappings and result logs (one, or every step of a plan), connects, verifies every export at once through
 * one read-back (one pace per read API), writes the report file of the records that are not ok, and notes the
 * records that differ in their logs (`differs` lines) so that `--update-changed` sends them again. Printing the
 * summary and choosing the exit code are the caller's business.
 */
import { existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Clock } from '../clock.js';
import { endpointFor, resourceNames } from '../endpoints/registry.js';
import { formatDuration } from '../duration.js';
import { LockedError, StoppedOnPurposeError, UsageError } from '../errors.js';
import { lockResultLog } from '../log/lock.js';
import { PRIVATE_FILE_MODE } from '../log/owned.js';
import { readResultLog, ResultLog } from '../log/resultLog.js';
import { defaultLogPath, targetOf, type Target } from '../log/target.js';
import type { StepLogs } from '../map/lookup.js';
import { loadPlan } from '../plan/planFile.js';
import type { Format } from '../read/source.js';
import { ReadBack, readRequests } from '../readBack/readBack.js';
import { checkStatuses, type CheckStatus } from '../readBack/checkStatus.js';
import { verifyStep, type RecordCheck, type StepToVerify } from '../readBack/verifyStep.js';
import { commandLine } from '../report/commandLine.js';
import { minIntervalMs, PauseTracker, plainLines } from '../report/progress.js';
import { verifyReportCsv } from '../report/verifyReport.js';
import { verified, type VerifySummary } from '../report/verifySummary.js';
import type { Sender } from '../send/sender.js';
import {
  checkConnectionOptions,
  checkRunLimits,
  connect,
  deadlineSignal,
  defaultStepLog,
  lockSandboxState,
  newSender,
  reachedMaxDuration,
  type ConnectionOptions,
  type RunLimits,
} from './import.js';

/** With --max-duration, the records not reached are not checked. */
export interface VerifyOptions extends ConnectionOptions, RunLimits {
  /** A resource name (then `file` is its export), or a plan file. */
  target: string;
  file?: string;
  mapping?: string;
  log?: string;
  format?: Format;
  encoding?: string;
  delimiter?: string;
  /** .xlsx: the worksheet to read. */
  sheet?: string;
  /** The report file; default: beside the export (or the plan), <name>.verify.csv. */
  report?: string;
  /** Read requests per second on each read-back API; default: each one's documented limit. */
  rate?: number;
  /** A rehearsal: the logs of `--sandbox` imports, read back from the sandbox that keeps its records beside them. */
  sandbox: boolean;
}

export interface VerifyIO {
  stderr(text: string): void;
  signal: AbortSignal;
  clock: Clock;
  random: () => number;
  /** The program as the user runs it (programName), to start the command printed for them. */
  program: string;
  /** The working folder, where the default logs are. */
  cwd: string;
}

/** The summary, and the error that stopped the verify early (--max-duration), if one did. */
export type VerifyResult = VerifySummary & { stop?: Error };

export async function runVerify(options: VerifyOptions, io: VerifyIO): Promise<VerifyResult> {
  checkConnectionOptions(options);
  checkRunLimits(options);
  const { steps, plan, report } = await stepsOf(options, io.cwd);
  for (const step of steps) {
    if (!existsSync(step.log)) {
      throw new UsageError(`${step.log}: no result log, so nothing of ${step.file} was imported into it; name the import's log with --log`);
    }
  }
  const started = io.clock.now();
  const ending: Array<() => unknown> = [];
  const sandboxState = options.sandbox ? await lockSandboxState(steps[0]!.log, io, ending) : undefined;
  let connection;
  try {
    connection = await connect({ ...options, sandboxState }, io);
  } catch (error) {
    for (const end of ending) await end();
    throw error;
  }
  const readers: Sender[] = [];
  // Reading stops at --max-duration as on Ctrl-C; the summary and the exit code tell them apart.
  const deadline = deadlineSignal(options.maxDurationMs, io, ending);
  const signal = AbortSignal.any([io.signal, deadline]);
  // Verify draws no progress, but a pause for an outage (and the resume) is said on stderr, as an import's lines say it.
  const date = () => new Date();
  const pause = new PauseTracker(plainLines(io.stderr, date, minIntervalMs), io.clock, date);
  try {
    const readBack = new ReadBack(
      readRequests((endpoint) => {
        const reader = newSender(endpoint, connection, options, { ...io, signal, onOutage: pause.changed });
        readers.push(reader);
        return reader;
      }),
    );
    const checks: RecordCheck[] = [];
    const results = await Promise.all(steps.map((step) => verifyStep(step, { readBack, target: targetOf(options), signal, program: io.program, onCheck: (check) => checks.push(check) })));
    const fatal = readers.find((reader) => reader.fatal)?.fatal;
    if (fatal) throw fatal;
    const stoppedEarly = deadline.aborted && !io.signal.aborted ? reachedMaxDuration(options.maxDurationMs!) : null;

    const order = new Map(steps.map((step, index) => [step.name, index]));
    checks.sort((a, b) => order.get(a.step)! - order.get(b.step)! || a.line - b.line);
    if (existsSync(report)) unlinkSync(report); // a stale report would mislead
    if (checks.length > 0) writeFileSync(report, verifyReportCsv(checks, new Map(results.map((result) => [result.step, result.zone]))), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    const notes = await noteDiffering(steps, checks, io);

    const counts = Object.fromEntries(checkStatuses.map((status) => [status, 0])) as Record<CheckStatus, number>;
    for (const result of results) for (const status of checkStatuses) counts[status] += result.counts[status];
    const records = checkStatuses.reduce((sum, status) => sum + counts[status], 0);
    const readFailures = results.reduce((sum, result) => sum + result.readFailures, 0);
    const elapsedMs = Math.round(io.clock.now() - started);
    const interrupted = io.signal.aborted;
    return {
      plan,
      steps: results,
      counts,
      records,
      readFailures,
      report: checks.length > 0 ? report : null,
      readRequests: readers.reduce((sum, reader) => sum + reader.stats.requests, 0),
      elapsedMs,
      recordsPerSec: elapsedMs > 0 ? Number(((records * 1000) / elapsedMs).toFixed(1)) : 0,
      interrupted,
      stoppedEarly,
      updateCommand: counts.differs > 0 ? updateCommand(options, plan, io.program) : null,
      notes,
      ok: verified({ counts, readFailures, interrupted, stoppedEarly }),
      ...(stoppedEarly ? { stop: stoppedOnPurpose(options.maxDurationMs!) } : {}),
    };
  } finally {
    await connection.close();
    for (const end of ending) await end();
  }
}

function stoppedOnPurpose(maxDurationMs: number): StoppedOnPurposeError {
  return new StoppedOnPurposeError(
    `stopped on purpose after ${formatDuration(maxDurationMs)} (--max-duration): the records not reached were not checked; ` +
      'run the same command again to check them all',
  );
}

/** The exports to verify, and where the report goes. */
async function stepsOf(options: VerifyOptions, cwd: string): Promise<{ steps: StepToVerify[]; plan: string | null; report: string }> {
  const input = { format: options.format, encoding: options.encoding, delimiter: options.delimiter, sheet: options.sheet };
  const endpoint = endpointFor(options.target);
  if (endpoint) {
    const file = options.file;
    if (file === undefined) throw new UsageError(`verify ${options.target} needs the export: hire-import verify ${options.target} FILE`);
    if (file === '-') throw new UsageError('verify reads the export from a file, not stdin');
    if (!existsSync(file) || statSync(file).isDirectory()) throw new UsageError(`${file}: no such file`);
    const log = options.log ?? defaultLogPath(targetOf(options), endpoint.resource);
    const step = { name: endpoint.resource, resource: endpoint.resource, file, mapping: options.mapping, log, stepLogs: resourceStepLogs(targetOf(options), cwd), ...input };
    return { steps: [step], plan: null, report: options.report ?? beside(file, '.verify.csv') };
  }
  if (!existsSync(options.target) || statSync(options.target).isDirectory()) {
    throw new UsageError(`'${options.target}' is neither a resource (${resourceNames.join(', ')}) nor a plan file`);
  }
  if (options.file !== undefined || options.mapping !== undefined || options.log !== undefined) {
    throw new UsageError('verify PLAN takes its exports, mappings and logs from the plan: no FILE, --mapping or --log');
  }
  // The logs the import uses when the plan names none.
  const plan = await loadPlan(options.target, defaultStepLog(targetOf(options)));
  const logs = new Map(plan.steps.map((step) => [step.name, step.log]));
  const stepLogs = (step: string) => logs.get(step);
  const steps = plan.steps.map((step) => ({ name: step.name, resource: step.resource, file: step.input, mapping: step.mapping, log: step.log, stepLogs }));
  return { steps, plan: options.target, report: options.report ?? beside(options.target, '.verify.csv') };
}

/**
 * Outside a plan, a plan's `{ step: interviews }` lookup reads the log the step of that name keeps by default, the
 * resource's in this target's state: a step's mapping verifies alone, unchanged.
 */
function resourceStepLogs(target: Target, cwd: string): StepLogs {
  return (step) => (endpointFor(step) ? resolve(cwd, defaultLogPath(target, step)) : undefined);
}

/** `dir/name.ext` -> `dir/name<suffix>`. */
function beside(file: string, suffix: string): string {
  return join(dirname(file), `${basename(file, extname(file))}${suffix}`);
}

/**
 * Appends a `differs` line for each differing record to its step's log, under the log's lock, so that the next
 * import with --update-changed sends it again. A log another import holds is left alone, and a note says so.
 */
async function noteDiffering(steps: readonly StepToVerify[], checks: readonly RecordCheck[], io: VerifyIO): Promise<string[]> {
  const notes: string[] = [];
  for (const step of steps) {
    const differing = checks.filter((check) => check.step === step.name && check.status === 'differs');
    if (differing.length === 0) continue;
    let lock;
    try {
      lock = await lockResultLog(step.log, io.stderr);
    } catch (error) {
      if (!(error instanceof LockedError)) throw error;
      notes.push(`${step.log}: the records that differ could not be noted there (${error.message}); verify again once that import has finished`);
      continue;
    }
    try {
      const { end } = await readResultLog(step.log, { keep: { ids: false, hashes: false } });
      const log = ResultLog.open(step.log, end);
      try {
        const at = new Date().toISOString();
        for (const check of differing) {
          const fields = check.differences!.map((difference) => difference.field);
          log.append({
            external_id: check.external_id,
            status: 'differs',
            id: check.id,
            resource: check.resource,
            file: check.file,
            line: check.line,
            field: fields[0],
            msg: `verify: on Feishu ${fields.join(', ')} ${fields.length === 1 ? 'differs' : 'differ'} from the export`,
            at,
          });
        }
      } finally {
        await log.close(); // synced: a sync that fails is a failure too
      }
      if (log.failure) throw log.failure;
    } finally {
      await lock.release();
    }
  }
  return notes;
}

/** How to send the export's content again for the records that differ. */
function updateCommand(options: VerifyOptions, plan: string | null, program: string): string {
  const sandbox = options.sandbox ? ['--sandbox'] : [];
  if (plan) return commandLine(program, ['migrate', plan, ...sandbox, '--update-changed']);
  const words = [options.target, options.file!];
  if (options.mapping) words.push('--mapping', options.mapping);
  if (options.log) words.push('--log', options.log);
  return commandLine(program, [...words, ...sandbox, '--update-changed']);
}
