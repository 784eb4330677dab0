/**
 * The CLI as a function: `main` parses the arguments with the program (src/program.ts), runs the command chosen and
 * returns its exit code, with everything it needs handed in: arguments, streams, environment, working folder, clock
 * and signals. It never exits the process and reads nothing of it, so tests run it in-process and two runs in one
 * process share nothing. Commands are imported when chosen, so --help and --version answer at once.
 */
import { createInterface } from 'node:readline/promises';
import { CommanderError } from 'commander';
import type { Clock } from './clock.js';
import { ExitCode, UsageError } from './errors.js';
import {
  errorJson,
  interruptSignal,
  jsonOut,
  reportBug,
  reportImport,
  reportPlan,
  reportUndo,
  reportVerify,
  runCommand,
  streamColors,
  streamOutput,
  type JsonOut,
  type Output,
  type OutputStream,
  type Signals,
} from './outcome.js';
import { createProgram, helpJson, jsonRequested, type CommandCall } from './program.js';

export interface MainIO {
  /** The words after the program's name (process.argv.slice(2)). */
  argv: string[];
  /** The program as the user runs it (report/commandLine.ts programName): the commands printed for them start with it. */
  program: string;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; unref?(): unknown };
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** The working folder: where the state folder is and relative paths start. */
  cwd: string;
  clock: Clock;
  signals: Signals;
  /**
   * Ends the run at once, with this code, when waiting is no longer wanted (a second Ctrl-C): the process exits; in a
   * test `main` returns the code without waiting for the command.
   */
  quit?(code: number): void;
  /** Errors nothing caught (a stream's 'error' without a listener): the process hands them in, they become exit 70. */
  onUncaught?(handler: (error: unknown) => void): void;
  /** Nothing but 429s for this long stops a run (default: the sender's rateLimitGiveUpMs): tests shorten it. */
  rateLimitGiveUpMs?: number;
}

export async function main(io: MainIO): Promise<number> {
  const streams = { stdout: io.stdout, stderr: io.stderr, env: io.env };
  const output = streamOutput(streams);
  // Known before parsing, so that even commander's own refusals end in the one JSON object --json promises.
  const json = jsonRequested(io.argv) ? jsonOut(output) : undefined;
  let quit!: (code: number) => void;
  const quitting = new Promise<number>((resolve) => (quit = resolve));
  const quitNow = (code: number) => {
    quit(code);
    io.quit?.(code);
  };
  io.onUncaught?.((error) => quitNow(reportBug(error, output, json)));
  // Listened for before the command is chosen and its code loads (seconds on a slow disk), so that a signal at any
  // moment ends the run the tool's way: exit 130 and its summary, never Node's default death by the signal.
  const interrupt = interruptSignal(output, () => context.finishing, { signals: io.signals, quit: quitNow }, json);
  const context: RunContext = { io, output, json, quit: quitNow, interrupt, finishing: 'the run ends before its first record' };

  let exitCode: number = ExitCode.ok;
  const program = createProgram(
    async (call) => {
      exitCode = await execute(call, context);
    },
    { output, stdout: io.stdout, stderr: io.stderr, env: io.env },
  );
  // Colour follows each stream unless --no-color was given (anywhere on the line): known once the line is parsed.
  program.hook('preAction', () => {
    output.colors = streamColors(streams, program.opts().color as boolean);
  });
  const help = json && helpJson(program, io.argv);
  if (help) {
    json(help);
    return ExitCode.ok;
  }
  const parsed = (async () => {
    try {
      await program.parseAsync(io.argv, { from: 'user' });
    } catch (error) {
      // commander has already printed its message on stderr; help and version are not errors.
      if (!(error instanceof CommanderError)) throw error;
      exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
      if (exitCode !== ExitCode.ok) json?.(errorJson(new UsageError(error.message.replace(/^error: /, '')), exitCode));
    }
    return exitCode;
  })();
  try {
    return await Promise.race([parsed, quitting]);
  } catch (error) {
    return reportBug(error, output, json);
  } finally {
    interrupt.stop();
  }
}

/** What every command's run takes from `main`. */
interface RunContext {
  io: MainIO;
  output: Output;
  json?: JsonOut;
  quit(code: number): void;
  /** Aborted on the first signal (interruptSignal), listened for from the run's start. */
  interrupt: { signal: AbortSignal; stop(): void };
  /** What the first signal says the run finishes before it ends: the chosen command's words. */
  finishing: string;
}

async function execute(call: CommandCall, context: RunContext): Promise<number> {
  const { io, output, json } = context;
  switch (call.command) {
    case 'import': {
      const { runImport } = await import('./commands/import.js');
      const run = { ...sendingIO(context, 'finishing and logging the requests in flight; a rerun sends the rest'), stdin: io.stdin, terminal: terminal(context) };
      return runCommand(() => runImport(call.options, run), (summary) => reportImport(summary, json, output), output, json);
    }
    case 'verify': {
      const { runVerify } = await import('./commands/verify.js');
      const run = sendingIO(context, 'finishing the read requests under way');
      return runCommand(() => runVerify(call.options, run), (summary) => reportVerify(summary, json, output), output, json);
    }
    case 'migrate': {
      const { migrate } = await import('./commands/migrate.js');
      const run = sendingIO(context, 'finishing and logging the requests in flight of every step; a rerun of the plan sends the rest');
      return runCommand(() => migrate(call.options, run), (result) => reportPlan(result, json, output), output, json);
    }
    case 'status': {
      const stopped = uninterruptible(context);
      if (stopped !== undefined) return stopped;
      const [{ status }, { formatPlanStatus, formatStatus }] = await Promise.all([import('./commands/status.js'), import('./report/status.js')]);
      const now = () => new Date();
      return runCommand(
        () => status(call.options, { cwd: io.cwd, now, env: io.env }),
        (summary) => {
          if (json) json({ ...summary });
          else if ('plan' in summary) output.stdout(formatPlanStatus(summary, output.colors.stdout, now()));
          else output.stdout(formatStatus(summary, output.colors.stdout, now()));
          return ExitCode.ok;
        },
        output,
        json,
      );
    }
    case 'sandbox': {
      const { sandbox } = await import('./commands/sandbox.js');
      const run = { stderr: output.stderr, signal: interruption(context, 'closing the sandbox') };
      return runCommand(() => sandbox(call.options, run), () => ExitCode.ok, output, json);
    }
    case 'init': {
      const stopped = uninterruptible(context);
      if (stopped !== undefined) return stopped;
      const { init } = await import('./commands/init.js');
      const ask = io.stdin.isTTY && io.stderr.isTTY ? (question: string) => askOnTerminal(io, question) : undefined;
      return runCommand(() => init(call.options, { ...output, stdin: io.stdin, env: io.env, program: io.program, ask }), () => ExitCode.ok, output, json);
    }
    case 'undo': {
      const { undo } = await import('./commands/undo.js');
      const run = {
        ...sendingIO(context, 'finishing and logging the deletes in flight; a rerun deletes the rest'),
        ask: io.stdin.isTTY && io.stderr.isTTY ? (question: string) => askOnTerminal(io, question) : undefined,
        terminal: terminal(context),
      };
      return runCommand(() => undo(call.options, run), (result) => reportUndo(result, json, output), output, json);
    }
    case 'probe': {
      const { formatProbe, probe } = await import('./commands/probe.js');
      const run = sendingIO(context, 'stopping; what the probe created and did not delete yet is listed');
      return runCommand(
        () => probe(call.options, run),
        (result) => {
          if (json) json({ ...result });
          else output.stdout(formatProbe(result));
          return ExitCode.ok;
        },
        output,
        json,
      );
    }
    case 'preview': {
      const stopped = uninterruptible(context);
      if (stopped !== undefined) return stopped;
      const { preview } = await import('./commands/preview.js');
      return runCommand(() => preview(call.options, { ...output, stdin: io.stdin, cwd: io.cwd, env: io.env, program: io.program }), (shown) => (shown.invalid > 0 ? ExitCode.recordsFailed : ExitCode.ok), output, json);
    }
  }
}

/** Aborted on the first interruption (see interruptSignal); `finishing` says what Ctrl-C waits for. */
function interruption(context: RunContext, finishing: string): AbortSignal {
  context.finishing = finishing;
  return context.interrupt.signal;
}

/**
 * A command that does not stop on a signal: the signals go back to their defaults (Ctrl-C ends it at once). A signal
 * that came while it loaded ends the run with 130 (returned), as it would have.
 */
function uninterruptible(context: RunContext): number | undefined {
  context.interrupt.stop();
  return context.interrupt.signal.aborted ? ExitCode.interrupted : undefined;
}

/** What a command that sends requests takes from the run; `onInterrupt` says what Ctrl-C does. */
function sendingIO(context: RunContext, onInterrupt: string) {
  const { io, output } = context;
  return {
    stderr: output.stderr,
    signal: interruption(context, onInterrupt),
    clock: io.clock,
    random: Math.random,
    cwd: io.cwd,
    rateLimitGiveUpMs: io.rateLimitGiveUpMs,
    program: io.program,
  };
}

/** The terminal a live line is drawn on, with the colours of its stream (known once the line is parsed). */
function terminal(context: RunContext) {
  return { stream: context.io.stderr as NodeJS.WriteStream, colors: context.output.colors.stderr };
}

/** One line typed on the terminal; Ctrl-C answers nothing. */
async function askOnTerminal(io: MainIO, question: string): Promise<string> {
  const terminal = createInterface({ input: io.stdin, output: io.stderr });
  try {
    return await new Promise<string>((resolve, reject) => {
      terminal.once('SIGINT', () => resolve(''));
      terminal.question(question).then(resolve, reject);
    });
  } finally {
    terminal.close();
    io.stdin.unref?.(); // a terminal read once would keep the process alive after the command ends
  }
}
