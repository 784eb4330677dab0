/**
 * Runs the real CLI on a pseudo-terminal, as a user at a terminal does: util-linux `script` gives the command a
 * pty of a set width; what the command draws comes back on script's stdout, and what is written to script's stdin
 * is typed into the terminal (so `\x03` is a real Ctrl-C, turned into SIGINT by the terminal's line discipline).
 */
import { execFileSync, spawn } from 'node:child_process';
import { binPath } from './cli.js';

export interface TerminalRun {
  code: number | null;
  /** Everything the terminal showed, escape sequences included. */
  output: string;
}

export interface TerminalOptions {
  cwd: string;
  columns: number;
  env?: Record<string, string>;
  /** Send the CLI's stderr to this file instead of the terminal (stdout stays on it). */
  stderrTo?: string;
}

const shellWord = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

export function startInTerminal(args: string[], options: TerminalOptions) {
  const redirect = options.stderrTo ? ` 2>${shellWord(options.stderrTo)}` : '';
  // `exec` makes the CLI the shell's own process, so the pid printed first is the CLI's.
  const command = `stty cols ${options.columns} rows 24; echo "pid=$$ tty=$(tty)"; exec ${[process.execPath, binPath, ...args].map(shellWord).join(' ')}${redirect}`;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm-256color', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const done = new Promise<TerminalRun>((resolve) =>
    child.on('close', (code) => {
      resolve({ code, output });
    }),
  );
  return {
    done,
    outputSoFar: () => output,
    /** The CLI's pid, once the terminal has shown it. */
    pid: () => Number(/pid=(\d+)/.exec(output)?.[1]),
    /** Resizes the terminal, as dragging its window does: the kernel sends the CLI SIGWINCH. */
    resize: (columns: number) => execFileSync('stty', ['-F', /tty=(\S+)/.exec(output)![1]!, 'cols', String(columns)]),
    type: (text: string) => child.stdin!.write(text),
    close: () => child.stdin!.end(),
  };
}

export async function runInTerminal(args: string[], options: TerminalOptions): Promise<TerminalRun> {
  const run = startInTerminal(args, options);
  const result = await run.done;
  run.close();
  return result;
}

/** The frames ora drew: each between the terminal's synchronized-output brackets, escape sequences removed. */
export function liveFrames(output: string): string[] {
  return [...output.matchAll(/\x1b\[\?2026h([\s\S]*?)\x1b\[\?2026l/g)].map((match) => match[1]!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''));
}
