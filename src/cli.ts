/**
 * The process's shell around `main` (src/main.ts): hands it the process's own arguments, streams, environment,
 * working folder, clock and signals, and turns its exit code into the process's. The only module that touches the
 * process as a whole.
 */
import { setFlagsFromString } from 'node:v8';
import { systemClock } from './clock.js';
import { main } from './main.js';
import { programName } from './report/commandLine.js';
import { capYoungGeneration } from './youngGeneration.js';

// undici parses HTTP in WebAssembly. V8's optimising compile of that parser, in the background, peaks at some 35 MB
// (a quarter of a resume's memory) and gains nothing at a few dozen answers a second: its baseline code is kept.
setFlagsFromString('--liftoff-only');
capYoungGeneration();
// A file size limit (`ulimit -f`) then shows as EFBIG on the write, handled like a full disk, instead of a signal
// that kills the process (the lock library's exit hook would re-raise it).
process.on('SIGXFSZ', () => undefined);

const exitCode = await main({
  argv: process.argv.slice(2),
  program: programName(process.argv[1]!, process.env.PATH, process.cwd()),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  signals: process,
  quit: (code) => process.exit(code),
  onUncaught: (handler) => {
    process.on('uncaughtException', handler);
    process.on('unhandledRejection', handler);
  },
});
process.exitCode = exitCode;
// Should a stray handle keep the loop alive, still leave once output has had a moment to flush.
setTimeout(() => process.exit(exitCode), 2000).unref();
