/**
 * The entry point: parses the process's arguments with the program (src/program.ts) and runs the command chosen,
 * with the process's streams, signals and clock. Commands are imported when chosen, so --help and --version answer
 * at once.
 */
import { createInterface } from 'node:readline/promises';
import { setFlagsFromString } from 'node:v8';
import { CommanderError } from 'commander';
import { systemClock } from './clock.js';
import { ExitCode } from './errors.js';
import { guardProcess, interruptSignal, processOutput, reportImport, reportPlan, reportUndo, reportVerify, runCommand } from './main.js';
import { createProgram, type CommandCall } from './program.js';
import { processColors } from './report/colors.js';

// undici parses HTTP in WebAssembly. V8's optimising compile of that parser, in the background, peaks at some 35 MB
// (a quarter of a resume's memory) and gains nothing at a few dozen answers a second: its baseline code is kept.
setFlagsFromString('--liftoff-only');

const output = processOutput();
guardProcess(output);

async function execute(call: CommandCall): Promise<number> {
  switch (call.command) {
    case 'import': {
      const { runImport } = await import('./commands/import.js');
      const io = {
        stderr: output.stderr,
        signal: interruptSignal(output, 'finishing and logging the requests in flight; a rerun sends the rest'),
        clock: systemClock,
        random: Math.random,
        stdin: process.stdin,
        terminal: { stream: process.stderr, colors: output.colors.stderr },
      };
      return runCommand(() => runImport(call.options, io), (summary) => reportImport(summary, call.json, output), output);
    }
    case 'verify': {
      const { runVerify } = await import('./commands/verify.js');
      const io = { stderr: output.stderr, signal: interruptSignal(output, 'finishing the read requests under way'), clock: systemClock, random: Math.random };
      return runCommand(() => runVerify(call.options, io), (summary) => reportVerify(summary, call.json, output), output);
    }
    case 'migrate': {
      const { migrate } = await import('./commands/migrate.js');
      const io = {
        stderr: output.stderr,
        signal: interruptSignal(output, 'finishing and logging the requests in flight of every step; a rerun of the plan sends the rest'),
        clock: systemClock,
        random: Math.random,
      };
      return runCommand(() => migrate(call.options, io), (result) => reportPlan(result, call.json, output), output);
    }
    case 'status': {
      const [{ status }, { formatStatus }] = await Promise.all([import('./commands/status.js'), import('./report/status.js')]);
      const now = () => new Date();
      return runCommand(
        () => status(call.options, { cwd: process.cwd(), now }),
        (summary) => {
          output.stdout(call.json ? `${JSON.stringify(summary, null, 2)}\n` : formatStatus(summary, output.colors.stdout, now()));
          return ExitCode.ok;
        },
        output,
      );
    }
    case 'sandbox': {
      const { sandbox } = await import('./commands/sandbox.js');
      const io = { stderr: output.stderr, signal: interruptSignal(output, 'closing the sandbox') };
      return runCommand(() => sandbox(call.options, io), () => ExitCode.ok, output);
    }
    case 'init': {
      const { init } = await import('./commands/init.js');
      return runCommand(() => init(call.options, output), () => ExitCode.ok, output);
    }
    case 'undo': {
      const { undo } = await import('./commands/undo.js');
      const io = {
        stderr: output.stderr,
        signal: interruptSignal(output, 'finishing and logging the deletes in flight; a rerun deletes the rest'),
        clock: systemClock,
        random: Math.random,
        ask: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
        terminal: { stream: process.stderr, colors: output.colors.stderr },
      };
      return runCommand(() => undo(call.options, io), (result) => reportUndo(result, call.json, output), output);
    }
    case 'preview': {
      const { preview } = await import('./commands/preview.js');
      return runCommand(() => preview(call.options, output), (shown) => (shown.invalid > 0 ? ExitCode.recordsFailed : ExitCode.ok), output);
    }
  }
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
  // commander has already printed its message; help and version are not errors.
  if (!(error instanceof CommanderError)) throw error;
  exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
}
process.exitCode = exitCode;
// Should a stray handle keep the loop alive, still leave once output has had a moment to flush.
setTimeout(() => process.exit(exitCode), 2000).unref();
