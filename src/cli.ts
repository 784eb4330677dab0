/**
 * The entry point: parses the process's arguments with the program (src/program.ts) and runs the command chosen,
 * with the process's streams, signals and clock. Commands are imported when chosen, so --help and --version answer
 * at once.
 */
import { createInterface } from 'node:readline/promises';
import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { systemClock } from './clock.js';
import { ExitCode, UsageError } from './errors.js';
import { errorJson, guardProcess, interruptSignal, jsonOut, processOutput, reportImport, reportPlan, reportUndo, reportVerify, runCommand } from './main.js';
import { createProgram, jsonRequested, type CommandCall } from './program.js';
import { processColors } from './report/colors.js';
import { programName } from './report/commandLine.js';
import { capYoungGeneration } from './youngGeneration.js';

// undici parses HTTP in WebAssembly. V8's optimising compile of that parser, in the background, peaks at some 35 MB
// (a quarter of a resume's memory) and gains nothing at a few dozen answers a second: its baseline code is kept.
setFlagsFromString('--liftoff-only');
capYoungGeneration();

const output = processOutput();
// The commands printed for the user to paste start with the program as they ran it.
const invokedAs = programName(process.argv[1]!, process.env.PATH, process.cwd());
// Known before parsing, so that even commander's own refusals end in the one JSON object --json promises.
const json = jsonRequested(process.argv.slice(2)) ? jsonOut(output) : undefined;
guardProcess(output, json);

async function execute(call: CommandCall): Promise<number> {
  switch (call.command) {
    case 'import': {
      const { runImport } = await import('./commands/import.js');
      const io = { ...sendingIO('finishing and logging the requests in flight; a rerun sends the rest'), stdin: process.stdin, terminal: terminal() };
      return runCommand(() => runImport(call.options, io), (summary) => reportImport(summary, json, output), output, json);
    }
    case 'verify': {
      const { runVerify } = await import('./commands/verify.js');
      const io = sendingIO('finishing the read requests under way');
      return runCommand(() => runVerify(call.options, io), (summary) => reportVerify(summary, json, output), output, json);
    }
    case 'migrate': {
      const { migrate } = await import('./commands/migrate.js');
      const io = sendingIO('finishing and logging the requests in flight of every step; a rerun of the plan sends the rest');
      return runCommand(() => migrate(call.options, io), (result) => reportPlan(result, json, output), output, json);
    }
    case 'status': {
      const [{ status }, { formatPlanStatus, formatStatus }] = await Promise.all([import('./commands/status.js'), import('./report/status.js')]);
      const now = () => new Date();
      return runCommand(
        () => status(call.options, { cwd: process.cwd(), now, env: process.env }),
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
      const io = { stderr: output.stderr, signal: interruptSignal(output, 'closing the sandbox', json) };
      return runCommand(() => sandbox(call.options, io), () => ExitCode.ok, output, json);
    }
    case 'init': {
      const { init } = await import('./commands/init.js');
      return runCommand(() => init(call.options, { ...output, program: invokedAs }), () => ExitCode.ok, output, json);
    }
    case 'undo': {
      const { undo } = await import('./commands/undo.js');
      const io = {
        ...sendingIO('finishing and logging the deletes in flight; a rerun deletes the rest'),
        ask: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
        terminal: terminal(),
      };
      return runCommand(() => undo(call.options, io), (result) => reportUndo(result, json, output), output, json);
    }
    case 'preview': {
      const { preview } = await import('./commands/preview.js');
      return runCommand(() => preview(call.options, output), (shown) => (shown.invalid > 0 ? ExitCode.recordsFailed : ExitCode.ok), output, json);
    }
  }
}

/** What a command that sends requests takes from the process; `onInterrupt` says what Ctrl-C does. */
function sendingIO(onInterrupt: string) {
  return { stderr: output.stderr, signal: interruptSignal(output, onInterrupt, json), clock: systemClock, random: Math.random, program: invokedAs };
}

/** The terminal a live line is drawn on, with the colours of its stream (known once the line is parsed). */
function terminal() {
  return { stream: process.stderr, colors: output.colors.stderr };
}

/** One line typed on the terminal; Ctrl-C answers nothing. */
async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve, reject) => {
      terminal.once('SIGINT', () => resolve(''));
      terminal.question(question).then(resolve, reject);
    });
  } finally {
    terminal.close();
    process.stdin.unref(); // a terminal read once would keep the process alive after the command ends
  }
}

let exitCode: number = ExitCode.ok;
const program = createProgram(
  async (call) => {
    exitCode = await execute(call);
  },
  { output, stderr: process.stderr, env: process.env },
);
// Colour follows each stream unless --no-color was given (anywhere on the line): known once the line is parsed.
program.hook('preAction', () => {
  output.colors = processColors(program.opts().color as boolean);
});
try {
  await program.parseAsync(process.argv);
} catch (error) {
  // commander has already printed its message on stderr; help and version are not errors.
  if (!(error instanceof CommanderError)) throw error;
  exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  if (exitCode !== ExitCode.ok) json?.(errorJson(new UsageError(error.message.replace(/^error: /, '')), exitCode));
}
process.exitCode = exitCode;
// Should a stray handle keep the loop alive, still leave once output has had a moment to flush.
setTimeout(() => process.exit(exitCode), 2000).unref();
