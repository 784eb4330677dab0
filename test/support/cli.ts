/**
 * Runs the CLI the way a user or a CI job does: `runCli` calls its main in this process, with the arguments,
 * environment, working folder and stdin a shell would give it (fast: no start-up); `runCliProcess` and `startCli`
 * run the real built bin as a subprocess, for what needs a process of its own (signals, pipes, limits, a TTY, the
 * real binary's exit codes). Both answer the same CliRun.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { systemClock, type Clock } from '../../src/clock.js';
import { defaultLogPath, targetOf } from '../../src/log/target.js';
import { main } from '../../src/main.js';
import { programName } from '../../src/report/commandLine.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const binPath = join(repoRoot, 'bin/hire-import.js');

/**
 * A folder whose `hire-import` is this clone's bin, as `npm install --global .` makes it: on the PATH of every run, so
 * the commands the CLI prints start `hire-import`, as an installed one's do. A test of a clone's own runs leaves it out.
 */
export const installedPath = (() => {
  const folder = mkdtempSync(join(tmpdir(), 'hire-import-bin-'));
  symlinkSync(binPath, join(folder, 'hire-import'));
  return `${folder}${delimiter}${process.env.PATH}`;
})();

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /**
   * Runs the CLI through bash, as `shell` makes of its quoted command line: a limit (`ulimit -f 8; exec ${cli}`),
   * a redirection (`${cli} > /dev/full`) or a pipe. The exit code is bash's, so end a pipe with `exit ${PIPESTATUS[0]}`.
   */
  shell?: (cli: string) => string;
  /** In-process only: the clock the run keeps time by (default: the system's). */
  clock?: Clock;
  /** In-process only: how long nothing but 429s stops a run (default: the sender's own 5 minutes). */
  rateLimitGiveUpMs?: number;
}

/** Starts the CLI; the caller may signal it and must await `done`. */
export function startCli(args: string[], options: CliOptions = {}): { child: ChildProcess; done: Promise<CliRun>; stderrSoFar(): string } {
  const argv = [binPath, ...args];
  const shell = options.shell?.([process.execPath, ...argv].map(shellQuote).join(' '));
  const child = spawn(shell === undefined ? process.execPath : 'bash', shell === undefined ? argv : ['-c', shell], {
    cwd: options.cwd ?? repoRoot,
    // A clean environment: no credentials leak in from the developer's shell, no colours in assertions.
    env: { PATH: installedPath, HOME: process.env.HOME, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(options.input ?? '');
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done, stderrSoFar: () => stderr };
}

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs the real binary in a subprocess (with `shell`, through bash). */
export function runCliProcess(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** Runs the CLI in this process (through bash in a subprocess when `shell` is given: a pipe or a limit needs one). */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  if (options.shell) return runCliProcess(args, options);
  return runInProcess(args, options);
}

/** The working folder of the runs under way in this process: the process has one, so they must share it. */
const running = { count: 0, cwd: '' };

async function runInProcess(args: string[], options: CliOptions): Promise<CliRun> {
  const cwd = options.cwd ?? repoRoot;
  if (running.count > 0 && running.cwd !== cwd) throw new Error(`in-process CLI runs at once in ${running.cwd} and ${cwd}: give one of them runCliProcess`);
  const previous = process.cwd();
  // The CLI resolves relative paths against the working folder it is given, as the process's own.
  process.chdir(cwd);
  running.count += 1;
  running.cwd = cwd;
  const stdout = collector();
  const stderr = collector();
  const env = { PATH: installedPath, HOME: process.env.HOME, NO_COLOR: '1', ...options.env };
  try {
    const code = await main({
      argv: args,
      // As src/cli.ts derives it for the built bin, run from `cwd` with `env`'s PATH.
      program: programName(binPath, env.PATH, cwd),
      stdin: Readable.from([options.input ?? '']),
      stdout: stdout.stream,
      stderr: stderr.stream,
      env,
      cwd,
      clock: options.clock ?? systemClock,
      signals: new EventEmitter(),
      rateLimitGiveUpMs: options.rateLimitGiveUpMs,
    });
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
  } finally {
    running.count -= 1;
    if (running.count === 0) process.chdir(previous);
  }
}

function collector(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * Runs a line the CLI printed as a user pasting it into bash would, in `cwd`, with `path` as PATH (default: one
 * with hire-import on it, as installed); a printed command is proven by this, not by reading it.
 */
export async function paste(line: string, cwd: string, path = installedPath): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-c', line], { cwd, env: { PATH: path, HOME: process.env.HOME, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A fresh folder holding copies of the named repo files, so tests never write next to the fixtures. */
export function workspace(...files: string[]): string {
  const folder = mkdtempSync(join(tmpdir(), 'hire-import-'));
  for (const file of files) cpSync(join(repoRoot, file), join(folder, file.split('/').pop()!));
  return folder;
}

/** The outcome lines of a result log, in order: neither its header nor the intents written before each create (`sending`). */
export function readLog(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => !('hire_import' in entry) && entry.status !== 'sending');
}

/** Where an import run in `folder` keeps its result log by default, for the app of `credentials` at `baseUrl`. */
export function stateLog(folder: string, baseUrl: string, resource = 'assessments'): string {
  return join(folder, defaultLogPath(targetOf({ sandbox: false, baseUrl, appId: credentials.appId }), resource)!);
}

/** Where a `--sandbox` rehearsal run in `folder` keeps its result log by default. */
export function sandboxLog(folder: string, resource = 'assessments'): string {
  return join(folder, defaultLogPath(targetOf({ sandbox: true, baseUrl: '' }), resource));
}

export const credentials = { appId: 'cli_test_app', appSecret: 'test-secret-Zq8vN3' };

export function credentialEnv(baseUrl: string): Record<string, string> {
  return { FEISHU_APP_ID: credentials.appId, FEISHU_APP_SECRET: credentials.appSecret, FEISHU_BASE_URL: baseUrl };
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
