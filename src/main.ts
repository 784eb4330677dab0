/**
 * The one place that turns a command's outcome into output and an exit code: a typed error becomes one clear line
 * and exit 2, an import's summary becomes words (stderr) or JSON (stdout), Ctrl-C becomes 130.
 */
import { ExitCode, exitCodeFor } from './errors.js';
import type { Colors } from './report/colors.js';
import { formatSummary, importSucceeded, type ImportSummary } from './report/summary.js';

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colours for what is written to each stream, each following its own stream. */
  colors: { stdout: Colors; stderr: Colors };
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
    const message = error instanceof Error ? error.message : String(error);
    output.stderr(`${output.colors.stderr.red('hire-import:')} ${message}\n`);
    if (code !== ExitCode.usage && error instanceof Error && process.env.DEBUG) output.stderr(`${error.stack}\n`);
    return code;
  }
}

export function reportImport(summary: ImportSummary & { rerun?: string }, json: boolean, output: Output): number {
  const { rerun, ...plain } = summary;
  const ok = importSucceeded(plain);
  const exitCode = summary.interrupted ? ExitCode.interrupted : ok ? ExitCode.ok : ExitCode.recordsFailed;
  output.stderr(formatSummary(plain, output.colors.stderr, rerun));
  if (json) {
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    output.stdout(`${JSON.stringify({ ...plain, ok, exitCode, peakRssMb }, null, 2)}\n`);
  }
  return exitCode;
}
