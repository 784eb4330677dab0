/**
 * The one place that turns a command's outcome into output and an exit code: a typed error becomes one clear line
 * and its exit code (`exitCodeFor`), an import's, a plan's or an undo's summary becomes words (stderr) and, with
 * --json, JSON (stdout); Ctrl-C, SIGTERM and SIGHUP become 130, anything unexpected becomes 70 and a request for a
 * bug report. With --json, stdout carries exactly one JSON object however the run ends (`JsonOut`). Output that
 * cannot be written (a closed pipe, a full disk behind stdout) never crashes the process. Nothing here touches the
 * process: streams, environment and signals are handed in (src/main.ts).
 */
import { basename } from 'node:path';
import type { MigrateResult } from './commands/migrate.js';
import type { UndoResult } from './commands/undo.js';
import type { VerifyResult } from './commands/verify.js';
import { ExitCode, exitCodeFor } from './errors.js';
import { colorsFor, type Colors, type ColorStream } from './report/colors.js';
import { formatSummary, importExitCode, type ImportSummary } from './report/summary.js';
import { formatUndoSummary, undoSucceeded } from './undo/summary.js';
import { formatVerifySummary } from './report/verifySummary.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colours for what is written to each stream, each following its own stream. */
  colors: { stdout: Colors; stderr: Colors };
  /** DEBUG=1 adds stacks to error reports. */
  debug?: boolean;
}

/** A stream the CLI writes to: the process's stdout or stderr, or a test's. */
export type OutputStream = NodeJS.WritableStream & ColorStream & { columns?: number };

/** The streams and environment the output follows (colours, DEBUG). */
export interface OutputStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
}

/**
 * stdout and stderr written so that a failure to write ends the writing, not the process: a reader that went away
 * (`| head`) is no error at all, anything else on stdout (`> /dev/full`) is one line on stderr.
 */
export function streamOutput(streams: OutputStreams): Output {
  const stderr = failSafe(streams.stderr, () => undefined); // nowhere left to report it
  const stdout = failSafe(streams.stdout, (error) => {
    if (error.code !== 'EPIPE') stderr(`${output.colors.stderr.red('hire-import:')} could not write to stdout: ${error.message}\n`);
  });
  // Colours again once --no-color is parsed (streamColors).
  const output: Output = { stdout, stderr, colors: streamColors(streams), debug: Boolean(streams.env.DEBUG) };
  return output;
}

/** Colours for stdout and stderr, each from its own stream. `colorFlag` is false when `--no-color` was given. */
export function streamColors(streams: OutputStreams, colorFlag = true): Output['colors'] {
  return { stdout: colorsFor(streams.stdout, streams.env, colorFlag), stderr: colorsFor(streams.stderr, streams.env, colorFlag) };
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

function failSafe(stream: NodeJS.WritableStream, onFailure: (error: NodeJS.ErrnoException) => void): (text: string) => void {
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

/** An error nothing caught is a bug: exit 70, never 1 (which means "records failed"). */
export function reportBug(error: unknown, output: Output, json?: JsonOut): number {
  output.stderr(bugReport(error, output.colors.stderr, output.debug));
  json?.(errorJson(error, ExitCode.internal));
  return ExitCode.internal;
}

function bugReport(error: unknown, colors: Colors, debug?: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const stack = debug && error instanceof Error ? `${error.stack}\n` : '';
  return `${colors.red('hire-import:')} ${message}\nthis is a bug in hire-import; please report it with DEBUG=1 output\n${stack}`;
}

/** Where interruptions come from: the process (SIGINT, SIGTERM, SIGHUP), or a test's emitter. */
export interface Signals {
  on(name: Interruption, listener: (name: Interruption) => void): unknown;
  off(name: Interruption, listener: (name: Interruption) => void): unknown;
}

export type Interruption = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

/**
 * Aborted on the first SIGINT, SIGTERM or SIGHUP, so the command can finish what is under way (`finishing()` says
 * what, asked when the signal comes: the command may not be chosen yet); a second one quits at once (`quit`, with exit 130). SIGHUP is what a closed ssh session or terminal sends:
 * the run ends as on Ctrl-C (exit 130, everything answered is logged), where Node's default would kill it mid-write.
 * `stop()` lets go of the signals.
 */
export function interruptSignal(
  output: Output,
  finishing: () => string,
  events: { signals: Signals; quit(code: number): void },
  json?: JsonOut,
): { signal: AbortSignal; stop(): void } {
  const controller = new AbortController();
  const onSignal = (name: Interruption) => {
    if (controller.signal.aborted) {
      const message = `${name} again: quitting now, without waiting for the requests in flight (a rerun sends them again)`;
      output.stderr(`\n${message}\n`);
      json?.(errorJson(Object.assign(new Error(message), { name: 'Interrupted' }), ExitCode.interrupted));
      events.quit(ExitCode.interrupted);
      return;
    }
    output.stderr(`\n${name}: stopping; ${finishing()} (press Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  for (const name of interruptions) events.signals.on(name, onSignal);
  return { signal: controller.signal, stop: () => interruptions.forEach((name) => events.signals.off(name, onSignal)) };
}

export const interruptions: Interruption[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Runs a command, reports its error if any (also as JSON, with --json), and returns the exit code. */
export async function runCommand<Result>(command: () => Promise<Result>, report: (result: Result) => number, output: Output, json?: JsonOut): Promise<number> {
  try {
    return report(await command());
  } catch (error) {
    const code = exitCodeFor(error);
    output.stderr(errorReport(error, code, output));
    json?.(errorJson(error, code));
    return code;
  }
}

/** One line for a typed error (and its stack with DEBUG=1, unless it is about the command line); a bug says so. */
function errorReport(error: unknown, code: number, output: Output, colors = output.colors.stderr): string {
  if (code === ExitCode.internal) return bugReport(error, colors, output.debug);
  const stack = code !== ExitCode.usage && error instanceof Error && output.debug ? `${error.stack}\n` : '';
  return `${colors.red('hire-import:')} ${error instanceof Error ? error.message : String(error)}\n${stack}`;
}

/**
 * The end of an import. `stop` is the error that ended it early (a used-up quota, a log that could not be written,
 * a missing permission): the summary still says what was done, then the error says why it stopped.
 */
export function reportImport(summary: ImportSummary & { rerun?: string; stop?: Error }, json: JsonOut | undefined, output: Output): number {
  const { rerun, stop, ...plain } = summary;
  const exitCode = importExitCode(summary);
  output.stderr(formatSummary(plain, output.colors.stderr, rerun, Boolean(stop)));
  if (stop) output.stderr(errorReport(stop, exitCode, output));
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
    if (end.result.stop) output.stderr(errorReport(end.result.stop, end.exitCode, output, colors));
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
  if (stop) output.stderr(errorReport(stop, exitCode, output));
  json?.({ ...summary, ok, exitCode, ...(stop ? { error: errorFields(stop) } : {}) });
  return exitCode;
}

/** The end of a verify: the summary on stderr (and as JSON on stdout); 0 when every record checked is ok, 3 at --max-duration. */
export function reportVerify(result: VerifyResult, json: JsonOut | undefined, output: Output): number {
  const { stop, ...summary } = result;
  const exitCode = stop ? exitCodeFor(stop) : summary.interrupted ? ExitCode.interrupted : summary.ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatVerifySummary(summary, output.colors.stderr));
  if (stop) output.stderr(errorReport(stop, exitCode, output));
  json?.({ ...summary, exitCode, ...(stop ? { error: errorFields(stop) } : {}) });
  return exitCode;
}
