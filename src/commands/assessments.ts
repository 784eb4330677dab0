/**
 * `hire-import assessments FILE`: the composition root of an import. It opens the input, the mapping, the result log
 * and the client, runs the pipeline, and returns a summary. Printing the summary and choosing the exit code are the
 * caller's business.
 */
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Clock } from '../clock.js';
import { ConfigError, UsageError } from '../errors.js';
import { runPipeline } from '../import/pipeline.js';
import { openMappedInput } from '../import/records.js';
import { lockResultLog } from '../log/lock.js';
import { readResultLog, ResultLog } from '../log/resultLog.js';
import type { Mapper } from '../map/mapping.js';
import { createRejectsWriter } from '../read/rejects.js';
import type { Format, RecordSource } from '../read/source.js';
import type { Colors } from '../report/colors.js';
import { estimateRecords } from '../report/estimate.js';
import { liveLine } from '../report/liveLine.js';
import { checkProgressInterval, plainLines, Progress, type RunHeading } from '../report/progress.js';
import type { ImportSummary } from '../report/summary.js';
import { Tally } from '../report/tally.js';
import { backoffMs, TransientError } from '../send/answer.js';
import { HireClient } from '../send/client.js';
import { Pace } from '../send/pace.js';
import { noSenderStats, Sender } from '../send/sender.js';
import { TokenCache } from '../send/tokenCache.js';

export interface AssessmentsOptions {
  file: string;
  format?: Format;
  encoding?: string;
  delimiter?: string;
  mapping?: string;
  log?: string;
  dryRun: boolean;
  updateChanged: boolean;
  maxErrors?: number;
  /** Start a local emulator and import into it: a rehearsal with no credentials. */
  sandbox: boolean;
  baseUrl: string;
  appId?: string;
  appSecret?: string;
  rate: number;
  concurrency: number;
  retries: number;
  timeoutMs: number;
  /** 'live' redraws a line (a terminal), 'lines' prints one per interval, 'off' prints none. */
  progress: 'live' | 'lines' | 'off';
  progressIntervalMs: number;
}

export interface ImportIO {
  stderr(text: string): void;
  signal: AbortSignal;
  clock: Clock;
  random: () => number;
  stdin?: NodeJS.ReadableStream;
  /** Where the live progress line is drawn (progress 'live'), with the colours of that stream. */
  terminal?: { stream: NodeJS.WriteStream; colors: Colors };
}

export async function assessments(options: AssessmentsOptions, io: ImportIO): Promise<ImportSummary & { rerun?: string }> {
  checkOptions(options);
  const started = io.clock.now();
  // Undone in reverse order however the run ends.
  const cleanup: Array<() => unknown> = [];
  try {
    const { source, mapper, records } = await openMappedInput({ ...options, stdin: io.stdin, signal: io.signal }, cleanup);
    const paths = outputPaths(options.file, source.format, options.log, options.sandbox);
    const connection = options.dryRun ? undefined : await connect(options, io, cleanup);
    if (!options.dryRun) {
      const lock = lockResultLog(paths.log); // before reading the log, so no one appends between
      cleanup.push(() => lock.release());
    }
    const history = await readResultLog(paths.log);
    if (history.unreadable > 0) {
      io.stderr(`${paths.log}: ignored ${history.unreadable} unreadable line(s) (a torn last line after a crash is expected)\n`);
    }
    const outputs = options.dryRun ? undefined : openOutputs(source, paths, cleanup);

    const tally = new Tally();
    const progress = await startProgress(options, io, source, mapper, tally, { target: connection?.target, log: options.dryRun ? undefined : paths.log });
    let outcome;
    try {
      outcome = await runPipeline({
        file: options.file,
        items: await records(),
        mapper,
        created: history.created,
        updateChanged: options.updateChanged,
        sender: connection?.sender,
        resultLog: outputs?.resultLog,
        rejects: outputs?.rejects,
        tally,
        signal: io.signal,
        maxErrors: options.maxErrors,
      });
    } finally {
      progress?.stop();
    }
    const sender = connection?.sender;
    if (sender?.fatal) throw sender.fatal;
    const rejected = (await outputs?.rejects.close()) ?? 0;
    const elapsedMs = io.clock.now() - started;
    return {
      file: options.file,
      log: options.dryRun ? null : paths.log,
      rejects: rejected > 0 ? paths.rejects : null,
      rerun: rejected > 0 ? rerunCommand(options, paths) : undefined,
      dryRun: options.dryRun,
      interrupted: io.signal.aborted,
      stoppedEarly: outcome.stoppedEarly,
      counts: tally.counts,
      pending: outcome.pending,
      wouldCreate: outcome.wouldCreate,
      wouldUpdate: outcome.wouldUpdate,
      ...(sender?.stats ?? noSenderStats()),
      tokenRenewals: connection?.tokenCache.renewals ?? 0,
      latency: { p50Ms: roundTo(sender?.latencies.percentile(50), 1), p99Ms: roundTo(sender?.latencies.percentile(99), 1) },
      elapsedMs: Math.round(elapsedMs),
      sendRate: roundTo(elapsedMs > 0 ? ((tally.counts.created + tally.counts.updated) * 1000) / elapsedMs : 0, 2),
      problems: tally.problems,
      problemGroups: tally.problemGroups.list(),
    };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/**
 * The sending side: a sandbox for a rehearsal, the client, a token (fetched now, so bad credentials or an
 * unreachable host stop the run before any record is read), and the sender.
 */
async function connect(options: AssessmentsOptions, io: ImportIO, cleanup: Array<() => unknown>) {
  let endpoint = { baseUrl: options.baseUrl, appId: options.appId, appSecret: options.appSecret };
  if (options.sandbox) {
    const { startSandbox, sandboxCredentials } = await import('../sandbox/server.js'); // only rehearsals need it
    const sandbox = await startSandbox(sandboxCredentials);
    cleanup.push(() => sandbox.close());
    endpoint = { baseUrl: sandbox.url, ...sandboxCredentials };
    io.stderr(`sandbox: importing into a local emulator at ${sandbox.url} (nothing reaches Feishu)\n`);
  }
  const { baseUrl, appId, appSecret } = endpoint;
  if (!appId || !appSecret) {
    throw new ConfigError(
      'no app credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET (or --app-id / --app-secret), ' +
        'rehearse with --sandbox, or check the input with --dry-run',
    );
  }
  const client = new HireClient({ baseUrl, appId, appSecret, connections: options.concurrency, timeoutMs: options.timeoutMs });
  cleanup.push(() => client.close());
  const tokenCache = new TokenCache(() => client.fetchToken(), io.clock);
  await firstToken(tokenCache, baseUrl, io);
  const sender = new Sender({
    client,
    tokenCache,
    pace: new Pace({ rate: options.rate, clock: io.clock }),
    clock: io.clock,
    random: io.random,
    maxAttempts: options.retries + 1,
    concurrency: options.concurrency,
    signal: io.signal,
  });
  return { sender, tokenCache, target: { baseUrl, appId } };
}

/** The first token, with a few tries for a passing fault; then a clear stop, before any record is read. */
async function firstToken(tokenCache: TokenCache, baseUrl: string, io: ImportIO): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await tokenCache.get();
      return;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      if (attempt === 3 || io.signal.aborted) throw new ConfigError(`no token from ${baseUrl} after ${attempt} tries: ${error.message}`);
      await io.clock.sleep(backoffMs(attempt, io.random), io.signal);
    }
  }
}

/** The result log, opened for appending, and a rejects file that appears only if something is rejected. */
function openOutputs(source: RecordSource, paths: { log: string; rejects: string }, cleanup: Array<() => unknown>) {
  const resultLog = ResultLog.open(paths.log);
  cleanup.push(() => resultLog.close());
  if (existsSync(paths.rejects)) unlinkSync(paths.rejects); // a stale rejects file would mislead
  const rejects = createRejectsWriter(source, paths.rejects);
  cleanup.push(() => rejects.close()); // flushed however the run ends; closing twice is harmless
  return { resultLog, rejects };
}

async function startProgress(
  options: AssessmentsOptions,
  io: ImportIO,
  source: RecordSource,
  mapper: Mapper,
  tally: Tally,
  heading: Pick<RunHeading, 'target' | 'log'>,
) {
  if (options.progress === 'off') return undefined;
  // A total (for the share and the ETA) only where lines are records: a file, not grouped.
  const total = options.file !== '-' && !mapper.group ? await estimateRecords(options.file, source.encoding, source.format, io.signal) : undefined;
  const view =
    options.progress === 'live' && io.terminal
      ? liveLine(io.terminal.stream, io.terminal.colors)
      : plainLines(io.stderr, () => new Date(), options.progressIntervalMs);
  const progress = new Progress({ view, clock: io.clock, tally, total });
  progress.start({ resource: 'assessments', input: options.file, ...heading });
  return progress;
}

function checkOptions(options: AssessmentsOptions): void {
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a positive number, got ${value}`);
  };
  positive('--rate', options.rate);
  positive('--concurrency', options.concurrency);
  positive('--timeout', options.timeoutMs);
  checkProgressInterval(options.progressIntervalMs);
  if (!Number.isInteger(options.retries) || options.retries < 0) throw new UsageError(`--retries must be a whole number, got ${options.retries}`);
  if (options.maxErrors !== undefined && (!Number.isInteger(options.maxErrors) || options.maxErrors < 1)) {
    throw new UsageError(`--max-errors must be a whole number of at least 1, got ${options.maxErrors}`);
  }
  if (options.file !== '-' && !existsSync(options.file)) throw new UsageError(`${options.file}: no such file`);
  if (options.file !== '-' && statSync(options.file).isDirectory()) throw new UsageError(`${options.file} is a folder, not a file`);
  try {
    new URL(options.baseUrl);
  } catch {
    throw new UsageError(`--base-url is not a URL: ${options.baseUrl}`);
  }
}

/**
 * The result log and rejects file sit next to the input (or in the current folder for stdin). A sandbox rehearsal
 * keeps its own log: its "created" lines must never make a real import skip a record.
 */
export function outputPaths(file: string, format: Format, log: string | undefined, sandbox: boolean): { log: string; rejects: string } {
  const extension = file === '-' ? '' : extname(file);
  const stem = file === '-' ? 'hire-import' : join(dirname(file), basename(file, extension));
  return {
    log: log ?? `${stem}${sandbox ? '.sandbox' : ''}.results.jsonl`,
    rejects: `${stem}.rejects${extension || `.${format}`}`,
  };
}

function rerunCommand(options: AssessmentsOptions, paths: { log: string; rejects: string }): string {
  const words = ['hire-import assessments', quote(paths.rejects), '--log', quote(paths.log)];
  // The rejects file is in the input's own shape, so whatever it took to read the input reads it too.
  const carried: Array<[string, string | undefined]> = [
    ['--mapping', options.mapping],
    ['--format', options.format],
    ['--encoding', options.encoding],
    ['--delimiter', options.delimiter],
  ];
  for (const [flag, value] of carried) if (value) words.push(flag, quote(value));
  if (options.sandbox) words.push('--sandbox');
  return words.join(' ');
}

function quote(word: string): string {
  return /^[\w./@:+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function roundTo(value: number, decimals: number): number;
function roundTo(value: number | null | undefined, decimals: number): number | null;
function roundTo(value: number | null | undefined, decimals: number): number | null {
  return value === null || value === undefined ? null : Number(value.toFixed(decimals));
}
