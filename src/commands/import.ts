/**
 * `hire-import RESOURCE FILE` (talents, applications, interviews, assessments, offers, background-checks): the
 * composition root of an import into one endpoint. It opens the input, the mapping, the result log and the client,
 * runs the pipeline, and returns a summary. Printing the summary and choosing the exit code are the caller's
 * business. A plan runs one of these per step, sharing one connection.
 */
import { existsSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Clock } from '../clock.js';
import { endpointFor, resourceNames } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { runPipeline } from '../import/pipeline.js';
import { openMappedInput } from '../import/records.js';
import { KnownIds } from '../import/knownIds.js';
import { lockResultLog } from '../log/lock.js';
import { readResultLog, ResultLog, type LogHeader, type LogHistory } from '../log/resultLog.js';
import { checkLogTarget, defaultLogPath, targetOf, type Target } from '../log/target.js';
import type { Mapper } from '../map/mapping.js';
import { createRejectsWriter } from '../read/rejects.js';
import type { Format, RecordSource } from '../read/source.js';
import { estimateRecords } from '../report/estimate.js';
import { Progress } from '../report/progress.js';
import type { ImportSummary } from '../report/summary.js';
import { Tally } from '../report/tally.js';
import { backoffMs, TransientError } from '../send/answer.js';
import { HireClient, sendsSecretsInClear } from '../send/client.js';
import { noSenderStats, Sender } from '../send/sender.js';
import { TokenCache } from '../send/tokenCache.js';

export interface ImportOptions {
  /** The endpoint's resource name (`talents`, `assessments`, ...): see src/endpoints/registry.ts. */
  resource: string;
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
  /** Requests per second on each API the import calls; default: each one's documented limit. */
  rate?: number;
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
  /**
   * A connection opened by the caller (a plan shares one sandbox and one token between its steps); the import uses
   * it instead of connecting, and leaves it open. Without one, the import connects as the options say.
   */
  connection?: Connection;
}

/**
 * The summary, the command that imports the rejects file into the same log (when there is one), and the error that
 * stopped the run early, if one did.
 */
export type ImportResult = ImportSummary & { rerun?: string; stop?: Error };

export async function runImport(options: ImportOptions, io: ImportIO): Promise<ImportResult> {
  const endpoint = checkOptions(options);
  const target = targetOf(options);
  const started = io.clock.now();
  // Undone in reverse order however the run ends.
  const cleanup: Array<() => unknown> = [];
  try {
    const { source, mapper, records } = await openMappedInput({ ...options, endpoint, stdin: io.stdin, signal: io.signal }, cleanup);
    const sends = !options.dryRun;
    if (sends && !options.sandbox && !io.connection) checkCredentials(options);
    const paths = outputPaths(options.file, source.format, options.log, target, endpoint.resource);
    if (sends) {
      if (options.log === undefined) mkdirSync(dirname(paths.log!), { recursive: true }); // the state folder, on first use
      const lock = await lockResultLog(paths.log!, io.stderr); // before reading the log, so no one appends between
      cleanup.push(() => lock.release());
    }
    // The ids and hashes only when records may be updated: a rerun over a million keys then holds just the keys.
    const keep = { ids: options.updateChanged, hashes: options.updateChanged };
    const history: LogHistory = paths.log ? await readResultLog(paths.log, keep) : { known: new KnownIds(), end: { bytes: 0, missingNewline: false } };
    if (paths.log) checkLogTarget(paths.log, history.header, target, endpoint.resource);
    // A rehearsal's sandbox keeps what it holds beside its log, so that the two agree from run to run.
    const sandboxState = sends && options.sandbox && !io.connection ? sandboxStatePath(paths.log!) : undefined;
    if (sandboxState) checkSandboxState(paths.log!, history, sandboxState);
    const connection = sends ? (io.connection ?? (await ownConnection({ ...options, sandboxState }, io, cleanup))) : undefined;
    const sender = connection && newSender(endpoint, connection, options, io);
    const header = logHeader(target, endpoint.resource, new Date());
    const outputs = sends ? openOutputs(source, { log: paths.log!, rejects: paths.rejects }, history, header, cleanup) : undefined;
    if (history.damagedTail) io.stderr(tailNotice(paths.log!, history.damagedTail, options.dryRun));

    const tally = new Tally();
    const progress = await startProgress(options, io, source, mapper, tally);
    let outcome;
    try {
      outcome = await runPipeline({
        endpoint,
        file: options.file,
        items: await records(),
        mapper,
        known: history.known,
        updateChanged: options.updateChanged,
        sender,
        resultLog: outputs?.resultLog,
        rejects: outputs?.rejects,
        tally,
        signal: io.signal,
        maxErrors: options.maxErrors,
      });
    } finally {
      progress?.stop();
    }
    const rejected = (await outputs?.rejects.close()) ?? 0;
    await outputs?.resultLog.close(); // its last lines synced now, so that a sync that fails is in this summary
    const elapsedMs = io.clock.now() - started;
    return {
      resource: endpoint.resource,
      target,
      file: options.file,
      log: options.dryRun ? null : paths.log!,
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
      sendRate: roundTo(elapsedMs > 0 ? ((tally.counts.created + tally.counts.updated + tally.counts.matched) * 1000) / elapsedMs : 0, 2),
      problems: tally.problems,
      unlogged: outputs?.resultLog.unwritten ?? [],
      stop: sender?.fatal ?? outputs?.resultLog.failure,
    };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

export interface Connection {
  client: HireClient;
  /** One token for every request of the connection. */
  tokenCache: TokenCache;
  /** Closes the client and, for a rehearsal, its sandbox. */
  close(): Promise<void>;
}

export type ConnectOptions = Pick<ImportOptions, 'sandbox' | 'baseUrl' | 'appId' | 'appSecret' | 'concurrency' | 'timeoutMs'> & {
  /** The file a rehearsal's sandbox keeps its records in, from run to run; in memory only when left out. */
  sandboxState?: string;
};

/**
 * The sending side: a sandbox for a rehearsal, the client, and a token (fetched now, so bad credentials or an
 * unreachable host stop the run before any record is read).
 */
export async function connect(options: ConnectOptions, io: Pick<ImportIO, 'stderr' | 'signal' | 'clock' | 'random'>): Promise<Connection> {
  const opened: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const step of opened.reverse()) await step();
  };
  try {
    let target = { baseUrl: options.baseUrl, appId: options.appId, appSecret: options.appSecret };
    if (options.sandbox) {
      const { startSandbox, sandboxCredentials } = await import('../sandbox/server.js'); // only rehearsals need it
      const sandbox = await startSandbox({ ...sandboxCredentials, stateFile: options.sandboxState });
      opened.push(() => sandbox.close());
      target = { baseUrl: sandbox.url, ...sandboxCredentials };
      io.stderr(`sandbox: importing into a local emulator at ${sandbox.url} (nothing reaches Feishu)\n`);
    }
    const { baseUrl, ...credentials } = target;
    if (sendsSecretsInClear(baseUrl)) {
      io.stderr(`warning: ${baseUrl} is plain http: the app secret and the tokens travel unencrypted; use https\n`);
    }
    checkCredentials(credentials);
    const client = new HireClient({ baseUrl, ...credentials, connections: options.concurrency, timeoutMs: options.timeoutMs });
    opened.push(() => client.close());
    const tokenCache = new TokenCache(() => client.fetchToken(), io.clock);
    await firstToken(tokenCache, baseUrl, io);
    return { client, tokenCache, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function checkCredentials(options: Pick<ConnectOptions, 'appId' | 'appSecret'>): asserts options is { appId: string; appSecret: string } {
  if (options.appId && options.appSecret) return;
  throw new ConfigError(
    'no app credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET (or --app-id / --app-secret), ' +
      'rehearse with --sandbox, or check the input with --dry-run',
  );
}

async function ownConnection(options: ImportOptions & ConnectOptions, io: ImportIO, cleanup: Array<() => unknown>): Promise<Connection> {
  const connection = await connect(options, io);
  cleanup.push(() => connection.close());
  return connection;
}

function newSender(endpoint: EndpointDescription, connection: Connection, options: ImportOptions, io: ImportIO): Sender {
  return new Sender({
    endpoint,
    client: connection.client,
    tokenCache: connection.tokenCache,
    clock: io.clock,
    random: io.random,
    rate: options.rate,
    maxAttempts: options.retries + 1,
    concurrency: options.concurrency,
    signal: io.signal,
    // Only tests shorten the wait for a rate limit that never lifts.
    rateLimitGiveUpMs: Number(process.env.HIRE_IMPORT_RATE_LIMIT_GIVE_UP_MS) || undefined,
  });
}

/** The first token, with a few tries for a passing fault; then a clear stop, before any record is read. */
async function firstToken(tokenCache: TokenCache, baseUrl: string, io: Pick<ImportIO, 'signal' | 'clock' | 'random'>): Promise<void> {
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

/** The result log, opened for appending after its whole lines, and a rejects file that appears only if needed. */
function openOutputs(source: RecordSource, paths: { log: string; rejects: string }, history: LogHistory, header: LogHeader, cleanup: Array<() => unknown>) {
  const resultLog = ResultLog.open(paths.log, history.end, { header });
  cleanup.push(() => resultLog.close());
  if (existsSync(paths.rejects)) unlinkSync(paths.rejects); // a stale rejects file would mislead
  const rejects = createRejectsWriter(source, paths.rejects);
  cleanup.push(() => rejects.close()); // flushed however the run ends; closing twice is harmless
  return { resultLog, rejects };
}

function logHeader(target: Target, resource: string, now: Date): LogHeader {
  return { hire_import: 1, target: target.url, app_id: target.appId, resource, created_at: now.toISOString() };
}

/** Where a rehearsal's sandbox keeps its records: beside its log, under the log's lock. */
export function sandboxStatePath(log: string): string {
  return `${log}.sandbox-state.jsonl`;
}

/** A log that says records were created in a sandbox whose state is gone would skip records the sandbox lacks. */
function checkSandboxState(log: string, history: LogHistory, state: string): void {
  if (history.known.size === 0 || (existsSync(state) && statSync(state).size > 0)) return;
  throw new ConfigError(
    `${log} says ${history.known.size} record(s) were created in the sandbox, but the sandbox's state (${state}) is gone, ` +
      `so it no longer holds them; nothing was sent. Delete ${log} to rehearse from the start`,
  );
}

function tailNotice(log: string, tail: NonNullable<LogHistory['damagedTail']>, dryRun: boolean): string {
  const what = `a damaged tail after line ${tail.afterLine} (${tail.bytes} bytes: a write torn by a crash, or zeros left by a power loss)`;
  return dryRun ? `${log}: ${what}; the next import cuts it off\n` : `${log}: cut off ${what}\n`;
}

async function startProgress(options: ImportOptions, io: ImportIO, source: RecordSource, mapper: Mapper, tally: Tally) {
  if (options.progress === 'off') return undefined;
  // A total (for the share and the ETA) only where lines are records: a file, not grouped.
  const total = options.file !== '-' && !mapper.group ? await estimateRecords(options.file, source.encoding, source.format, io.signal) : undefined;
  const progress = new Progress({ write: io.stderr, live: options.progress === 'live', clock: io.clock, intervalMs: options.progressIntervalMs, tally, total });
  progress.start();
  return progress;
}

/** Checks what the command line cannot; returns the endpoint imported into. */
function checkOptions(options: ImportOptions): EndpointDescription {
  const endpoint = endpointFor(options.resource);
  if (!endpoint) throw new UsageError(`unknown resource '${options.resource}'; one of ${resourceNames.join(', ')}`);
  if (options.updateChanged && !endpoint.update) {
    throw new UsageError(`--update-changed: ${endpoint.title}s cannot be updated (the API has no update for them)`);
  }
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a positive number, got ${value}`);
  };
  if (options.rate !== undefined) positive('--rate', options.rate);
  positive('--concurrency', options.concurrency);
  positive('--timeout', options.timeoutMs);
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
  return endpoint;
}

/**
 * The result log is `--log`, else the state of the target and resource (see defaultLogPath), which every export of
 * that resource imported from this folder shares; none for a dry run without an app id. The rejects file sits next to
 * the input (in the current folder for stdin).
 */
export function outputPaths(file: string, format: Format, log: string | undefined, target: Target, resource: string): { log: string | undefined; rejects: string } {
  const extension = file === '-' ? '' : extname(file);
  const stem = file === '-' ? 'hire-import' : join(dirname(file), basename(file, extension));
  return { log: log ?? defaultLogPath(target, resource), rejects: `${stem}.rejects${extension || `.${format}`}` };
}

/** The command that imports the fixed rejects file into the same log: the default one needs no --log. */
function rerunCommand(options: ImportOptions, paths: { log: string | undefined; rejects: string }): string {
  const words = ['hire-import', options.resource, quote(paths.rejects)];
  // The rejects file is in the input's own shape, so whatever it took to read the input reads it too.
  const carried: Array<[string, string | undefined]> = [
    ['--log', options.log && paths.log],
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
