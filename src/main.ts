/**
 * The one place that turns a command's outcome into output and an exit code: a typed error becomes one clear line
 * and its exit code (`exitCodeFor`), an import's summary becomes words (stderr) or JSON (stdout), Ctrl-C becomes
 * 130, anything unexpected becomes 70 and a request for a bug report. Output that cannot be written (a closed pipe,
 * a full disk behind stdout) never crashes the process.
 */
import { ExitCode, exitCodeFor } from './errors.js';
import { processColors, type Colors } from './report/colors.js';
import { formatSummary, importSucceeded, type ImportSummary } from './report/summary.js';
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
export function guardProcess(output: Output): void {
  const onBug = (error: unknown) => {
    output.stderr(bugReport(error, output.colors.stderr));
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
 * Aborted on the first SIGINT/SIGTERM, so the command can finish what is under way (`finishing` says what); a second
 * one exits at once.
 */
export function interruptSignal(output: Output, finishing: string): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      output.stderr(`\n${name} again: quitting now\n`);
      process.exit(ExitCode.interrupted);
    }
    output.stderr(`\n${name}: stopping; ${finishing} (press Ctrl-C again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

/** Runs a command, reports its error if any, and returns the exit code. */
export async function runCommand<Result>(command: () => Promise<Result>, report: (result: Result) => number, output: Output): Promise<number> {
  try {
    return report(await command());
  } catch (error) {
    const code = exitCodeFor(error);
    output.stderr(errorReport(error, code, output.colors.stderr));
    return code;
  }
}

/** One line for a typed error (and its stack with DEBUG=1, unless it is about the command line); a bug says so. */
function errorReport(error: unknown, code: number, colors: Colors): string {
  if (code === ExitCode.internal) return bugReport(error, colors);
  const stack = code !== ExitCode.usage && error instanceof Error && process.env.DEBUG ? `${error.stack}\n` : '';
  return `${colors.red('hire-import:')} ${error instanceof Error ? error.message : String(error)}\n${stack}`;
}

/**
 * The end of an import. `stop` is the error that ended it early (a used-up quota, a log that could not be written,
 * a missing permission): the summary still says what was done, then the error says why it stopped.
 */
export function reportImport(summary: ImportSummary & { rerun?: string; stop?: Error }, json: boolean, output: Output): number {
  const { rerun, stop, ...plain } = summary;
  const ok = !stop && importSucceeded(plain);
  const exitCode = stop ? exitCodeFor(stop) : summary.interrupted ? ExitCode.interrupted : ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatSummary(plain, output.colors.stderr, rerun, Boolean(stop)));
  if (stop) output.stderr(errorReport(stop, exitCode, output.colors.stderr));
  if (json) {
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const error = stop ? { error: { kind: stop.name, message: stop.message } } : {};
    output.stdout(`${JSON.stringify({ ...plain, ok, exitCode, ...error, peakRssMb }, null, 2)}\n`);
  }
  return exitCode;
}

/** The end of a verify: the summary on stderr (and as JSON on stdout); 0 when every record checked is ok. */
export function reportVerify(summary: VerifySummary, json: boolean, output: Output): number {
  const exitCode = summary.interrupted ? ExitCode.interrupted : summary.ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatVerifySummary(summary, output.colors.stderr));
  if (json) output.stdout(`${JSON.stringify({ ...summary, exitCode }, null, 2)}\n`);
  return exitCode;
}
