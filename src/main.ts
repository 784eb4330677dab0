/**
 * The one place that turns a command's outcome into output and an exit code: a typed error becomes one clear line
 * and its exit code (`exitCodeFor`), an import's, a plan's or an undo's summary becomes words (stderr) and, with
 * --json, JSON (stdout); Ctrl-C, SIGTERM and SIGHUP become 130, anything unexpected becomes 70 and a request for a
 * bug report. With --json, stdout carries exactly one JSON object however the run ends (`JsonOut`). Output that
 * cannot be written (a closed pipe, a full disk behind stdout) never crashes the process.
 */
import { basename } from 'node:path';
import type { MigrateResult } from './commands/migrate.js';
import type { UndoResult } from './commands/undo.js';
import { ExitCode, exitCodeFor } from './errors.js';
import { processColors, type Colors } from './report/colors.js';
import { formatSummary, importSucceeded, type ImportSummary } from './report/summary.js';
import { formatUndoSummary, undoSucceeded } from './undo/summary.js';
import { formatVerifySummary, type VerifySummary } from './report/verifySummary.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colours for what is written to each stream, each following its own stream. */
  colors: { stdout: Colors; stderr: Colors };
}

/**
 * The process's stdout and stderr, written so that a failure to write ends the writing, not the process: a reader
 * that went away (`| head`) is no error at all, anything else on stdout (`> /dev/full`) is one line on stderr.
 */
export function processOutput(): Output {
  const stderr = failSafe(process.stderr, () => undefined); // nowhere left to report it
  const stdout = failSafe(process.stdout, (error) => {
    if (error.code !== 'EPIPE') stderr(`${output.colors.stderr.red('hire-import:')} could not write to stdout: ${error.message}\n`);
  });
  const output: Output = { stdout, stderr, colors: processColors() }; // colours again once --no-color is parsed
  return output;
}

/** Writes the one JSON object of a --json run; whatever ends the run later (a bug, a second Ctrl-C) writes none. */
export type JsonOut = (object: Record<string, unknown>) => void;

export function jsonOut(output: Output): JsonOut {
  let written = false;
  return (object) => {
    if (written) return;
    written = true;
    output.stdout(`${JSON.stringify(object, null, 2)}\n`);
  };
}

/** The JSON of a run that ended in an error before (or instead of) a summary. */
export function errorJson(error: unknown, exitCode: number): Record<string, unknown> {
  return { ok: false, exitCode, error: errorFields(error) };
}

function errorFields(error: unknown): { kind: string; message: string } {
  return error instanceof Error ? { kind: error.name, message: error.message } : { kind: 'Error', message: String(error) };
}

function failSafe(stream: NodeJS.WriteStream, onFailure: (error: NodeJS.ErrnoException) => void): (text: string) => void {
  let failed = false;
  // Write errors arrive as 'error' events; without a listener Node would crash with a stack trace.
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (failed) return;
    failed = true;
    onFailure(error);
  });
  return (text) => {
    if (!failed) stream.write(text);
  };
}

/**
 * Process-wide rules: an error nothing caught is a bug (exit 70, never 1, which means "records failed"); a file
 * size limit (`ulimit -f`) shows as EFBIG on the write, handled like a full disk, instead of a signal that kills
 * the process (the lock library's exit hook would re-raise it).
 */
export function guardProcess(output: Output, json?: JsonOut): void {
  const onBug = (error: unknown) => {
    output.stderr(bugReport(error, output.colors.stderr));
    json?.(errorJson(error, ExitCode.internal));
    process.exit(ExitCode.internal);
  };
  process.on('uncaughtException', onBug);
  process.on('unhandledRejection', onBug);
  process.on('SIGXFSZ', () => undefined);
}

function bugReport(error: unknown, colors: Colors): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = process.env.DEBUG && error instanceof Error ? `${error.stack}\n` : '';
  return `${colors.red('hire-import:')} ${message}\nthis is a bug in hire-import; please report it with DEBUG=1 output\n${stack}`;
}

/**
 * Aborted on the first SIGINT, SIGTERM or SIGHUP, so the command can finish what is under way (`finishing` says
 * what); a second one exits at once. SIGHUP is what a closed ssh session or terminal sends: the run ends as on
 * Ctrl-C (exit 130, everything answered is logged), where Node's default would kill it mid-write.
 */
export function interruptSignal(output: Output, finishing: string, json?: JsonOut): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      const message = `${name} again: quitting now, without waiting for the requests in flight (a rerun sends them again)`;
      output.stderr(`\n${message}\n`);
      json?.(errorJson(Object.assign(new Error(message), { name: 'Interrupted' }), ExitCode.interrupted));
      process.exit(ExitCode.interrupted);
    }
    output.stderr(`\n${name}: stopping; ${finishing} (press Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  for (const name of interruptions) process.on(name, onSignal);
  return controller.signal;
}

const interruptions: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs a command, reports its error if any (also as JSON, with --json), and returns the exit code. */
export async function runCommand<Result>(command: () => Promise<Result>, report: (result: Result) => number, output: Output, json?: JsonOut): Promise<number> {
  try {
    return report(await command());
  } catch (error) {
    const code = exitCodeFor(error);
    output.stderr(errorReport(error, code, output.colors.stderr));
    json?.(errorJson(error, code));
    return code;
  }
}

/** One line for a typed error (and its stack with DEBUG=1, unless it is about the command line); a bug says so. */
function errorReport(error: unknown, code: number, colors: Colors): string {
  if (code === ExitCode.internal) return bugReport(error, colors);
  const stack = code !== ExitCode.usage && error instanceof Error && process.env.DEBUG ? `${error.stack}\n` : '';
  return `${colors.red('hire-import:')} ${error instanceof Error ? error.message : String(error)}\n${stack}`;
}

/** An import's exit code: the error that stopped it, Ctrl-C, records left to fix, or success. */
export function importExitCode(summary: ImportSummary & { stop?: Error }): number {
  if (summary.stop) return exitCodeFor(summary.stop);
  if (summary.interrupted) return ExitCode.interrupted;
  return importSucceeded(summary) ? ExitCode.ok : ExitCode.recordsFailed;
}

/**
 * The end of an import. `stop` is the error that ended it early (a used-up quota, a log that could not be written,
 * a missing permission): the summary still says what was done, then the error says why it stopped.
 */
export function reportImport(summary: ImportSummary & { rerun?: string; stop?: Error }, json: JsonOut | undefined, output: Output): number {
  const { rerun, stop, ...plain } = summary;
  const exitCode = importExitCode(summary);
  output.stderr(formatSummary(plain, output.colors.stderr, rerun, Boolean(stop)));
  if (stop) output.stderr(errorReport(stop, exitCode, output.colors.stderr));
  json?.({ ...summaryJson(summary, exitCode), peakRssMb: peakRssMb() });
  return exitCode;
}

/** An import's summary for --json, with `ok`, its exit code and the error that stopped it. */
function summaryJson(summary: ImportSummary & { rerun?: string; stop?: Error }, exitCode: number): Record<string, unknown> {
  const { rerun: _rerun, stop, ...plain } = summary;
  return { ...plain, ok: exitCode === ExitCode.ok, exitCode, ...(stop ? { error: errorFields(stop) } : {}) };
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * The end of a plan: each step's summary in the plan file's order (or the error that stopped it), then the plan's
 * exit code, the worst of the steps'. With --json, one object on stdout: the plan, its exit code, and per step its
 * name and the summary a single import would print.
 */
export function reportPlan(result: MigrateResult, json: JsonOut | undefined, output: Output): number {
  const colors = output.colors.stderr;
  for (const end of result.steps) {
    if ('error' in end) {
      output.stderr(`${colors.red('✖')} ${end.step.name}: ${end.error.message}\n`);
      continue;
    }
    output.stderr(formatSummary(end.result, colors, undefined, Boolean(end.result.stop)));
    if (end.result.stop) output.stderr(errorReport(end.result.stop, end.exitCode, colors));
  }
  const { exitCode } = result;
  const plan = basename(result.plan.file);
  if (exitCode === ExitCode.ok) output.stderr(`${colors.green('✔')} plan ${plan}: every step done\n`);
  else {
    const next = exitCode === ExitCode.recordsFailed ? 'fix the records named above in the inputs (or their parents), then run' : 'run';
    output.stderr(`plan ${plan}: exit code ${exitCode}; ${next} the plan again (what is done is not sent again): ${result.rerun}\n`);
  }
  if (json) {
    const steps = result.steps.map((end) => {
      const named = { step: end.step.name, resource: end.step.resource };
      if ('error' in end) return { ...named, ok: false, exitCode: end.exitCode, error: errorFields(end.error) };
      return { ...named, ...summaryJson(end.result, end.exitCode) };
    });
    json({ plan: result.plan.file, dryRun: result.dryRun, ok: exitCode === ExitCode.ok, exitCode, steps, peakRssMb: peakRssMb() });
  }
  return exitCode;
}

/** The end of an undo: 0 when everything was deleted (or a dry run), 1 when some deletes failed, 130 interrupted. */
export function reportUndo(result: UndoResult, json: JsonOut | undefined, output: Output): number {
  const { stop, ...summary } = result;
  const ok = !stop && undoSucceeded(summary);
  const exitCode = stop ? exitCodeFor(stop) : summary.interrupted ? ExitCode.interrupted : ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatUndoSummary(summary, output.colors.stderr, Boolean(stop)));
  if (stop) output.stderr(errorReport(stop, exitCode, output.colors.stderr));
  json?.({ ...summary, ok, exitCode, ...(stop ? { error: errorFields(stop) } : {}) });
  return exitCode;
}

/** The end of a verify: the summary on stderr (and as JSON on stdout); 0 when every record checked is ok. */
export function reportVerify(summary: VerifySummary, json: JsonOut | undefined, output: Output): number {
  const exitCode = summary.interrupted ? ExitCode.interrupted : summary.ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatVerifySummary(summary, output.colors.stderr));
  json?.({ ...summary, exitCode });
  return exitCode;
}
