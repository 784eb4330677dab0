/**
 * `hire-import RESOURCE FILE` (talents, applications, interviews, assessments, offers, background-checks): the
 * composition root of an import into one endpoint. It opens the input, the mapping, the result log and the client,
 * runs the pipeline, and returns a summary. Printing the summary and choosing the exit code are the caller's
 * business. A plan opens one of these per step (openImport) before it sends anything, then runs them all at once
 * (sendImport) over one connection.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Clock } from '../clock.js';
import { endpointFor, resourceNames } from '../endpoints/registry.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { formatDuration } from '../duration.js';
import { ConfigError, createFailure, ServiceUnavailableError, StoppedOnPurposeError, UsageError } from '../errors.js';
import type { MaxErrors } from '../import/errorBudget.js';
import { carriedHolds, type CarriedHold } from '../import/carriedHold.js';
import { runPipeline, type PipelineInput } from '../import/pipeline.js';
import { openMappedInput } from '../import/records.js';
import { lockResultLog } from '../log/lock.js';
import { writeRunEnd } from '../log/runEnd.js';
import { readResultLog, ResultLog, type Intent, type LogHeader, type LogHistory } from '../log/resultLog.js';
import { checkLogTarget, defaultLogPath, makeStateFolder, targetOf, type Target } from '../log/target.js';
import { loadMapping, type Mapper, type MappingSpec } from '../map/mapping.js';
import { warningLines } from '../map/place.js';
import { stepLookups } from '../plan/order.js';
import { ParentIds } from '../plan/parentIds.js';
import { sameFile } from '../read/input.js';
import { ReadBack, readRequests } from '../readBack/readBack.js';
import { contentKey, idempotent, recoverable, Recovery } from '../readBack/recovery.js';
import { createRejectsWriter } from '../read/rejects.js';
import { claimRejectsPath } from '../read/rejectsWritten.js';
import { formatFromPath, type Format, type RecordSource, type SourceItem } from '../read/source.js';
import type { Colors } from '../report/colors.js';
import { estimateRecords } from '../report/estimate.js';
import { commandLine } from '../report/commandLine.js';
import { plural } from '../report/format.js';
import { checkProgressInterval, plainLines, Progress, type ProgressView, type RunHeading } from '../report/progress.js';
import type { ImportSummary } from '../report/summary.js';
import { Tally } from '../report/tally.js';
import { backoffMs, TransientError } from '../send/answer.js';
import type { HireClient } from '../send/client.js';
import { noSenderStats, Sender, type SenderOptions } from '../send/sender.js';
import { RunStop } from '../send/runStop.js';
import { TokenCache } from '../send/tokenCache.js';

/** Where Feishu is, who the app is, and how hard to press it: every command that sends takes these. */
export interface ConnectionOptions {
  baseUrl: string;
  appId?: string;
  appSecret?: string;
  concurrency: number;
  retries: number;
  timeoutMs: number;
}

/** How long a run may go on, and wait out an outage (import, migrate, undo, verify). */
export interface RunLimits {
  /** Stop after this long, finish what is in flight, and exit 3 (stopped on purpose; a rerun continues). */
  maxDurationMs?: number;
  /** An outage (nothing answers) this long stops the run with exit 69; default 15 minutes. */
  maxOutageMs?: number;
}

export interface ImportOptions extends ConnectionOptions, RunLimits {
  /** The endpoint's resource name (`talents`, `assessments`, ...): see src/endpoints/registry.ts. */
  resource: string;
  file: string;
  format?: Format;
  encoding?: string;
  delimiter?: string;
  /** .xlsx: the worksheet to read. */
  sheet?: string;
  mapping?: string;
  log?: string;
  dryRun: boolean;
  updateChanged: boolean;
  /** Stop reading after this many new invalid or failed records, or this share of those read. */
  maxErrors?: MaxErrors;
  /** Start a local emulator and import into it: a rehearsal with no credentials. */
  sandbox: boolean;
  /** Requests per second on each API the import calls; default: each one's documented limit. */
  rate?: number;
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
  /** The working folder (paths shown relative to it). */
  cwd: string;
  /** Nothing but 429s for this long stops the run (default: the sender's own): tests shorten it. */
  rateLimitGiveUpMs?: number;
  /** Where the live progress line is drawn (progress 'live'), with the colours of that stream. */
  terminal?: { stream: NodeJS.WriteStream; colors: Colors };
  /** --max-duration's deadline, when a plan shares one between its steps; else the import keeps its own. */
  deadline?: AbortSignal;
  /** The program as the user runs it (programName), to start the commands printed for them. */
  program: string;
}

/**
 * The summary, the command that imports the rejects file into the same log (when there is one), and the error that
 * stopped the run early, if one did.
 */
export type ImportResult = ImportSummary & { rerun?: string; stop?: Error };

export async function runImport(options: ImportOptions, io: ImportIO): Promise<ImportResult> {
  const spec = options.mapping ? await loadMapping(options.mapping) : undefined;
  const parents = spec && (await loggedParents(spec, targetOf(options), io.clock));
  // A plan step's mapping imported alone runs as that step would, its parents' steps finished: the same decisions
  // and hashes as the plan's, so --update-changed sends only what changed.
  const opened = await openImport(options, io, parents ? { spec } : undefined);
  try {
    const sandboxState = options.sandbox && !options.dryRun ? await lockSandboxState(opened.paths.log, io, opened.cleanup) : undefined;
    const connection = options.dryRun ? undefined : await ownConnection({ ...options, sandboxState }, io, opened.cleanup);
    return await sendImport(opened, connection, io, parents ? { parents } : {});
  } finally {
    await closeImport(opened);
  }
}

/**
 * Outside a plan, a mapping's `{ step: interviews }` lookups answer from the log the plan's step of that name keeps
 * by default, the resource's in this target's state, as a finished step answers its children. Undefined when the
 * mapping has no such lookup, or one names no resource (compiling it then says to use `{ log: FILE }`).
 */
async function loggedParents(spec: MappingSpec, target: Target, clock: Clock): Promise<Map<string, ParentIds> | undefined> {
  const lookups = Object.entries(stepLookups(spec));
  if (lookups.length === 0 || lookups.some(([, step]) => !endpointFor(step))) return undefined;
  const parents = new Map<string, ParentIds>();
  for (const [name, step] of lookups) {
    const log = defaultLogPath(target, step);
    if (!existsSync(log)) throw new ConfigError(`mapping lookups.${name}: { step: ${step} } outside a plan reads ${log}, which does not exist: import the ${step} first, or run the plan`);
    const history = await readResultLog(log, { keep: { ids: true, hashes: false } });
    checkLogTarget(log, history.header, target, step);
    const ids = new ParentIds({ step, logged: history.known, now: () => clock.now() });
    ids.finish('complete');
    parents.set(name, ids);
  }
  return parents;
}

/** An import checked and opened, nothing sent yet: its input and mapping, its result log locked (unless a dry run) and read. */
export interface OpenedImport {
  options: ImportOptions;
  endpoint: EndpointDescription;
  /** Where the records go, as the log's header names it. */
  target: Target;
  source: RecordSource;
  mapper: Mapper;
  /** The records, one pass (see openMappedInput). */
  records(): Promise<AsyncIterable<SourceItem>>;
  paths: { log: string; rejects: string };
  history: LogHistory;
  /** With --update-changed, what holds back updates that would remove children (carriedHold.ts). */
  holds: CarriedHold[];
  /** Undone in reverse order by closeImport. */
  cleanup: Array<() => unknown>;
}

/** How a plan step differs from a single import: its mapping is read already, and its `{ step }` lookups resolve. */
export interface PlanStepInput {
  spec?: MappingSpec;
  /** The logs the plan's steps of `resource` keep (an update's children are looked for there too). */
  logsOf?: (resource: string) => string[];
}

/**
 * Checks the options, opens the input, compiles the mapping and locks and reads the result log; throws what is
 * wrong, with everything opened so far released.
 */
export async function openImport(options: ImportOptions, io: Pick<ImportIO, 'stderr' | 'signal' | 'stdin' | 'program'>, step?: PlanStepInput): Promise<OpenedImport> {
  const endpoint = checkOptions(options);
  const target = targetOf(options);
  const cleanup: Array<() => unknown> = [];
  try {
    const input = { ...options, endpoint, stdin: io.stdin, signal: io.signal, spec: step?.spec, steps: step !== undefined, program: io.program };
    const { source, mapper, records } = await openMappedInput(input, cleanup);
    // Said once, before anything is read or sent: a mistake that only loses data must not pass as "would create 10".
    io.stderr(warningLines(mapper.warnings));
    if (!options.dryRun && !options.sandbox) checkCredentials(options); // before anything is written
    const paths = outputPaths(source, options.log, target, endpoint.resource);
    checkOutputsApart(options, paths);
    if (!options.dryRun) {
      makeStateFolder(paths.log);
      const lock = await lockResultLog(paths.log, io.stderr); // before reading the log, so no one appends between
      cleanup.push(() => lock.release());
    }
    // Ids only where they are asked for (updates, a plan's children), hashes only for updates: a rerun of a plain
    // import over a million records holds just their keys.
    const keep = { ids: options.updateChanged || step !== undefined, hashes: options.updateChanged };
    const history = await readResultLog(paths.log, { keep });
    checkLogTarget(paths.log, history.header, target, endpoint.resource);
    if (options.sandbox && !options.dryRun) checkSandboxState(paths.log, history);
    if (history.damagedTail) io.stderr(tailNotice(paths.log, history.damagedTail, options.dryRun));
    const childLogs = (resource: string) => [...(step?.logsOf?.(resource) ?? []), defaultLogPath(target, resource)];
    const holds = options.updateChanged ? await carriedHolds(endpoint, childLogs) : [];
    return { options, endpoint, target, source, mapper, records, paths, history, holds, cleanup };
  } catch (error) {
    await runCleanup(cleanup);
    throw error;
  }
}

export async function closeImport(opened: OpenedImport): Promise<void> {
  await runCleanup(opened.cleanup);
}

async function runCleanup(cleanup: Array<() => unknown>): Promise<void> {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
}

/** What a plan hands a step's import besides the connection: the counts it shows, the parents' ids, its own. */
export interface StepLinks {
  tally?: Tally;
  parents?: PipelineInput['parents'];
  own?: PipelineInput['own'];
  /** Told of the step's outages, for the plan's progress lines. */
  onOutage?: SenderOptions['onOutage'];
  /** The command that continues the step, as `status` shows it once the run has stopped: the plan's. */
  continueWith?: string;
}

/** Runs an opened import through the pipeline (sending through `connection`, none on a dry run) and sums it up. */
export async function sendImport(opened: OpenedImport, connection: Connection | undefined, io: ImportIO, links: StepLinks = {}): Promise<ImportResult> {
  const { options, endpoint, target, source, mapper, paths, history } = opened;
  const started = io.clock.now();
  const deadline = io.deadline ?? deadlineSignal(options.maxDurationMs, io, opened.cleanup);
  // Sending and reading stop on Ctrl-C and at the deadline alike; only the summary tells them apart.
  const signal = AbortSignal.any([io.signal, deadline]);
  let progress: Progress | undefined; // started below, once the outputs are open; told of outages by the sender
  const sender = connection && newSender(endpoint, connection, options, { ...io, signal, onOutage: links.onOutage ?? ((change) => progress?.outageChanged(change)) });
  const header = logHeader(target, endpoint.resource, new Date());
  const outputs = options.dryRun ? undefined : await openOutputs(source, paths, history, header, opened.cleanup);
  const tally = links.tally ?? new Tally();
  progress = await startProgress(options, io, source, mapper, tally, {
    resource: endpoint.resource,
    input: options.file,
    target: connection?.target,
    log: options.dryRun ? undefined : paths.log,
  });
  let outcome;
  try {
    outcome = await runPipeline({
      endpoint,
      file: options.file,
      items: await opened.records(),
      mapper,
      known: history.known,
      updateChanged: options.updateChanged,
      holds: opened.holds,
      sender,
      resultLog: outputs?.resultLog,
      rejects: outputs?.rejects,
      tally,
      signal,
      maxErrors: options.maxErrors,
      knownErrors: history.erred,
      knownRefusals: history.refused,
      parents: links.parents,
      own: links.own,
      intents: connection && sender && (recoverable(endpoint) || idempotent(endpoint)) ? intentsOf(endpoint, history, paths.log, connection, sender, options, { ...io, signal }) : undefined,
    });
  } finally {
    progress?.stop();
  }
  // A deadline that passed once everything was read and answered stopped nothing.
  const stoppedOnPurpose = deadline.aborted && !io.signal.aborted && (!outcome.readToEnd || outcome.pending > 0);
  let stop = sender?.fatal ?? outcome.failure ?? (stoppedOnPurpose ? stoppedOnPurposeError(options.maxDurationMs!) : undefined);
  let rejected = 0;
  try {
    rejected = (await outputs?.rejects.close()) ?? 0;
  } catch (error) {
    stop ??= error as Error; // a full disk on the last records kept for the user
  }
  const rejects = rejected > 0 ? outputs!.rejectsPath : null;
  await outputs?.resultLog.close(); // its last lines synced now, so that a sync that fails is in this summary
  if (!options.dryRun) {
    const finished = !io.signal.aborted && outcome.readToEnd && outcome.pending === 0 && outcome.stoppedEarly === null && !stop && !outputs?.resultLog.failure;
    const command = links.continueWith ?? continueCommand(io.program, options, paths.log);
    writeRunEnd(paths.log, { state: finished ? 'finished' : 'stopped', at: new Date().toISOString(), command, cwd: io.cwd });
  }
  const elapsedMs = io.clock.now() - started;
  return {
    resource: endpoint.resource,
    target,
    file: options.file,
    warnings: mapper.warnings,
    log: options.dryRun ? null : paths.log,
    rejects,
    rejectsKept: rejects === null ? [] : outputs!.rejectsKept,
    rerun: rejects === null ? undefined : rerunCommand(options, { ...paths, rejects }, io.program),
    dryRun: options.dryRun,
    interrupted: io.signal.aborted,
    stoppedEarly: outcome.stoppedEarly ?? (stoppedOnPurpose ? reachedMaxDuration(options.maxDurationMs!) : null),
    counts: tally.counts,
    pending: outcome.pending,
    wouldCreate: outcome.wouldCreate,
    wouldUpdate: outcome.wouldUpdate,
    retryable: outcome.retryable,
    ...(sender?.stats ?? noSenderStats()),
    tokenRenewals: connection?.tokenCache.renewals ?? 0,
    latency: { p50Ms: roundTo(sender?.latencies.percentile(50), 1), p99Ms: roundTo(sender?.latencies.percentile(99), 1) },
    elapsedMs: Math.round(elapsedMs),
    sendRate: roundTo(elapsedMs > 0 ? ((tally.counts.created + tally.counts.updated + tally.counts.matched) * 1000) / elapsedMs : 0, 2),
    problems: tally.problems,
    problemGroups: tally.problemGroups.list(),
    unlogged: outputs?.resultLog.unwritten ?? [],
    // A sync that failed as the log closed stops the run too: its last lines may not be on the disk.
    stop: stop ?? outputs?.resultLog.failure,
  };
}

export interface Connection {
  client: HireClient;
  /** One token for every request of the connection. */
  tokenCache: TokenCache;
  /** Where the requests go, as the progress heading names it (never the secret). */
  target: { baseUrl: string; appId: string };
  /** Stops every sender of the connection when Feishu refuses the app itself. */
  runStop: RunStop;
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
    let target = { baseUrl: apiOrigin(options.baseUrl, io.stderr), appId: options.appId, appSecret: options.appSecret };
    if (options.sandbox) {
      const { startSandbox, sandboxCredentials } = await import('../sandbox/server.js'); // only rehearsals need it
      const sandbox = await startSandbox({ ...sandboxCredentials, stateFile: options.sandboxState });
      opened.push(() => sandbox.close());
      target = { baseUrl: sandbox.url, ...sandboxCredentials };
      const holding = options.sandboxState ? 'holding what the rehearsals before created' : 'empty, kept in memory for this run only';
      io.stderr(`sandbox: a local emulator at ${sandbox.url}, ${holding} (nothing reaches Feishu)\n`);
    }
    const { baseUrl, ...credentials } = target;
    // Loaded here: undici compiles its HTTP parser when loaded, which only runs that send need to pay for.
    const { HireClient, sendsSecretsInClear } = await import('../send/client.js');
    if (sendsSecretsInClear(baseUrl)) {
      io.stderr(`warning: ${baseUrl} is plain http: the app secret and the tokens travel unencrypted; use https\n`);
    }
    checkCredentials(credentials);
    const client = new HireClient({ baseUrl, ...credentials, connections: options.concurrency, timeoutMs: options.timeoutMs });
    opened.push(() => client.close());
    const tokenCache = new TokenCache(() => client.fetchToken(), io.clock);
    await firstToken(tokenCache, baseUrl, io);
    return { client, tokenCache, target: { baseUrl, appId: credentials.appId }, runStop: new RunStop(), close };
  } catch (error) {
    await close();
    throw error;
  }
}

export function checkCredentials(options: Pick<ConnectOptions, 'appId' | 'appSecret'>): asserts options is { appId: string; appSecret: string } {
  if (options.appId && options.appSecret) return;
  // Only what is missing is named: a user who set one of the two looks for the other.
  const missing = [!options.appId && 'FEISHU_APP_ID is not set (or --app-id)', !options.appSecret && 'FEISHU_APP_SECRET is not set (or --app-secret)'].filter(Boolean);
  throw new ConfigError(`${missing.join('; ')}; rehearse with --sandbox, or check the input with --dry-run`);
}

async function ownConnection(options: ImportOptions & ConnectOptions, io: ImportIO, cleanup: Array<() => unknown>): Promise<Connection> {
  const connection = await connect(options, io);
  cleanup.push(() => connection.close());
  return connection;
}

/** A sender for one endpoint over the connection; an undo makes one per resource it deletes. */
export function newSender(
  endpoint: EndpointDescription,
  connection: Connection,
  options: Pick<ImportOptions, 'rate' | 'retries' | 'concurrency' | 'maxOutageMs'>,
  io: Pick<ImportIO, 'clock' | 'random' | 'signal' | 'rateLimitGiveUpMs'> & Pick<SenderOptions, 'onOutage'>,
): Sender {
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
    rateLimitGiveUpMs: io.rateLimitGiveUpMs,
    maxOutageMs: options.maxOutageMs,
    onOutage: io.onOutage,
    runStop: connection.runStop,
  });
}

/**
 * Aborted once `maxDurationMs` has passed (never without one): reading stops there, and requests not yet sent stay
 * for the next run, as on Ctrl-C.
 */
export function deadlineSignal(maxDurationMs: number | undefined, io: Pick<ImportIO, 'clock' | 'signal'>, cleanup: Array<() => unknown>): AbortSignal {
  const deadline = new AbortController();
  if (maxDurationMs === undefined) return deadline.signal;
  const finished = new AbortController();
  cleanup.push(() => finished.abort());
  const over = AbortSignal.any([finished.signal, io.signal]);
  void io.clock.sleep(maxDurationMs, over).then(() => {
    if (!over.aborted) deadline.abort();
  });
  return deadline.signal;
}

/** Why a summary says a run stopped early at its deadline (an import's, a verify's). */
export function reachedMaxDuration(maxDurationMs: number): string {
  return `reached --max-duration ${formatDuration(maxDurationMs)}`;
}

/** The run reached --max-duration with requests left; an undo says the same. */
export function stoppedOnPurposeError(maxDurationMs: number): StoppedOnPurposeError {
  return new StoppedOnPurposeError(
    `stopped on purpose after ${formatDuration(maxDurationMs)} (--max-duration): the requests in flight were finished and logged; ` +
      'run the same command again to continue',
  );
}

/**
 * The API's origin: the client adds every path, /open-apis/... included. A base URL that ends in /open-apis (as the
 * docs print it) is taken, with a note; any other path is refused, since the requests would go to the host anyway.
 */
export function apiOrigin(baseUrl: string, note: (text: string) => void): string {
  const url = new URL(baseUrl);
  const refused = () => new UsageError(`--base-url must be the API's address only, such as https://open.feishu.cn, without a path; got ${baseUrl}`);
  if (url.search || url.hash) throw refused();
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '') return url.origin;
  if (path.toLowerCase() === '/open-apis') {
    note(`note: --base-url ends in /open-apis, which hire-import adds to every request itself; using ${url.origin}\n`);
    return url.origin;
  }
  throw refused();
}

/**
 * The earlier runs' intents for this endpoint, and how to look for their records: through the endpoint's own sender
 * where it reads itself back, else a sender of the API that does (the parent's), made only when an intent needs it;
 * the ids the log already gives to records are read from it then too.
 */
function intentsOf(endpoint: EndpointDescription, history: LogHistory, log: string, connection: Connection, sender: Sender, options: ImportOptions, io: ImportIO) {
  const pending = new Map([...history.intents].filter(([, intent]) => intent.resource === endpoint.resource));
  const readBack = new ReadBack(readRequests((reader) => (reader === endpoint ? sender : newSender(reader, connection, options, io))));
  // The wall clock, as the intents' times are.
  const recovery = new Recovery(endpoint, readBack, { pending, claimed: () => loggedIds(log), now: () => Date.now() });
  return { pending, recover: (intent: Intent, body: Record<string, unknown>) => recovery.find(intent, body), contentKey: (body: Record<string, unknown>) => contentKey(endpoint, body) };
}

/** The Feishu ids the log's lines give to records (created, updated, matched). */
async function loggedIds(log: string): Promise<Set<string>> {
  const ids = new Set<string>();
  await readResultLog(log, { keep: { ids: false, hashes: false }, onEntry: (entry) => void (entry.status !== 'deleted' && entry.id !== undefined && ids.add(entry.id)) });
  return ids;
}

/** The first token, with a few tries for a passing fault; then a clear stop (69), before any record is read. */
async function firstToken(tokenCache: TokenCache, baseUrl: string, io: Pick<ImportIO, 'signal' | 'clock' | 'random'>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await tokenCache.get();
      return;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      // Unreachable before anything was sent: a passing outage (run again later) as much as a wrong --base-url.
      if (attempt === 3 || io.signal.aborted) {
        throw new ServiceUnavailableError(`no token from ${baseUrl} after ${attempt} tries: ${error.message}; check --base-url and the network, or run again later`);
      }
      await io.clock.sleep(backoffMs(attempt, io.random), io.signal);
    }
  }
}

/**
 * The result log, opened for appending after its whole lines (its header first if it is empty), and a rejects file
 * that appears only if needed. A stale rejects file would mislead, so the last one written goes now, unless the user
 * has edited it since: that one is kept, and this run's rejects take the next free name.
 */
async function openOutputs(source: RecordSource, paths: { log: string; rejects: string }, history: LogHistory, header: LogHeader, cleanup: Array<() => unknown>) {
  const resultLog = ResultLog.open(paths.log, history.end, { header });
  cleanup.push(() => resultLog.close());
  try {
    // The rejects file is made only when a record is rejected, mid-run: a folder that cannot take it is said now.
    accessSync(dirname(paths.rejects), constants.W_OK);
  } catch (error) {
    throw createFailure('the rejects file', paths.rejects, error, 'or copy the input to a folder you can write: the rejects file goes next to it');
  }
  const target = await claimRejectsPath(paths.rejects);
  const rejects = createRejectsWriter(source, target.path);
  cleanup.push(() => rejects.close()); // flushed however the run ends; closing twice is harmless
  return { resultLog, rejects, rejectsPath: target.path, rejectsKept: target.kept };
}

function logHeader(target: Target, resource: string, now: Date): LogHeader {
  return { hire_import: 1, target: target.url, app_id: target.appId, resource, created_at: now.toISOString() };
}

/**
 * Where a rehearsal's sandbox keeps its records: beside its log, in the log's folder, so that the rehearsals of every
 * resource (and a plan's, which share one sandbox) find what the others created, as they would in Feishu.
 */
function sandboxStatePath(log: string): string {
  return join(dirname(log), 'sandbox-state.jsonl');
}

/** Locks the sandbox's state for this run (one sandbox per state file); returns its path. */
export async function lockSandboxState(log: string, io: Pick<ImportIO, 'stderr'>, cleanup: Array<() => unknown>): Promise<string> {
  const state = sandboxStatePath(log);
  const lock = await lockResultLog(state, io.stderr);
  cleanup.push(() => lock.release());
  return state;
}

/** A log that says records were created in a sandbox whose state is gone would skip records the sandbox lacks. */
function checkSandboxState(log: string, history: LogHistory): void {
  const state = sandboxStatePath(log);
  if (history.known.size === 0 || (existsSync(state) && statSync(state).size > 0)) return;
  throw new ConfigError(
    `${log} says ${plural(history.known.size, 'record')} ${history.known.size === 1 ? 'was' : 'were'} created in the sandbox, but the sandbox's state (${state}) is gone, ` +
      `so it no longer holds them; nothing was sent. Delete ${log} to rehearse from the start`,
  );
}

export function tailNotice(log: string, tail: NonNullable<LogHistory['damagedTail']>, dryRun: boolean): string {
  const what = `a damaged tail after line ${tail.afterLine} (${tail.bytes} bytes: a write torn by a crash, or zeros left by a power loss)`;
  return dryRun ? `${log}: ${what}; the next import cuts it off\n` : `${log}: cut off ${what}\n`;
}

async function startProgress(options: ImportOptions, io: ImportIO, source: RecordSource, mapper: Mapper, tally: Tally, heading: Omit<RunHeading, 'total'>) {
  if (options.progress === 'off') return undefined;
  const total = await expectedRecords({ options, source, mapper }, io.signal);
  const progress = new Progress({ view: await progressView(options, io), clock: io.clock, date: () => new Date(), tally, total });
  progress.start(heading);
  return progress;
}

/**
 * The records an input holds, for the share and the ETA, where that can be counted beforehand: where lines are
 * records (text, not a workbook), not grouped, and from a file that can be read twice (counting a pipe or FIFO would
 * take its rows from the import, or wait forever).
 */
export async function expectedRecords(opened: Pick<OpenedImport, 'options' | 'source' | 'mapper'>, signal: AbortSignal): Promise<number | undefined> {
  const { options, source, mapper } = opened;
  if (!source.regularFile || source.sheet !== undefined || mapper.group) return undefined;
  return estimateRecords(options.file, source.encoding, source.format, signal);
}

/**
 * A live line on a terminal, else plain lines; an undo shows its progress the same way. The live line's module (ora)
 * is loaded only for a terminal: cron and CI runs need not pay for it at start-up.
 */
export async function progressView(options: Pick<ImportOptions, 'progress' | 'progressIntervalMs'>, io: Pick<ImportIO, 'stderr' | 'terminal'>): Promise<ProgressView> {
  if (options.progress !== 'live' || !io.terminal) return plainLines(io.stderr, () => new Date(), options.progressIntervalMs);
  const { liveLine } = await import('../report/liveLine.js');
  return liveLine(io.terminal.stream, io.terminal.colors);
}

/** Checks what the command line cannot; returns the endpoint imported into. */
function checkOptions(options: ImportOptions): EndpointDescription {
  const endpoint = endpointFor(options.resource);
  if (!endpoint) throw new UsageError(`unknown resource '${options.resource}'; one of ${resourceNames.join(', ')}`);
  if (options.updateChanged && !endpoint.update) {
    throw new UsageError(`--update-changed: ${endpoint.title}s cannot be updated (the API has no update for them)`);
  }
  checkSendOptions(options);
  if (options.file !== '-' && !existsSync(options.file)) throw new UsageError(`${options.file}: no such file`);
  if (options.file !== '-' && statSync(options.file).isDirectory()) throw new UsageError(`${options.file} is a folder, not a file`);
  return endpoint;
}

/** The options of sending, shared by every import and by a plan. */
export type SendOptions = Pick<
  ImportOptions,
  | 'dryRun' | 'sandbox' | 'baseUrl' | 'appId' | 'appSecret' | 'rate' | 'concurrency' | 'retries' | 'timeoutMs' | 'progress' | 'progressIntervalMs'
  | 'maxDurationMs' | 'maxOutageMs'
>;

/** Checks the sending options the command line cannot (a plan checks them once for all its steps). */
export function checkSendOptions(options: SendOptions): void {
  checkConnectionOptions(options);
  checkProgressInterval(options.progressIntervalMs);
  checkRunLimits(options);
}

/** Checks --max-duration and --max-outage (an import's, a plan's, an undo's, a verify's). */
export function checkRunLimits(options: RunLimits): void {
  if (options.maxDurationMs !== undefined && !(options.maxDurationMs > 0)) throw new UsageError('--max-duration must be a positive duration');
  // A timer longer than 2^31 - 1 ms (24.8 days) would fire at once.
  if (options.maxDurationMs !== undefined && options.maxDurationMs > 2 ** 31 - 1) throw new UsageError('--max-duration must be at most 596h');
  if (options.maxOutageMs !== undefined && !(options.maxOutageMs > 0)) throw new UsageError('--max-outage must be a positive duration');
}

/** Checks the options of sending (an import's, an undo's) that the command line cannot. */
export function checkConnectionOptions(options: Pick<ImportOptions, 'rate' | 'concurrency' | 'timeoutMs' | 'retries' | 'baseUrl'>): void {
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`${name} must be a positive number, got ${value}`);
  };
  if (options.rate !== undefined) positive('--rate', options.rate);
  positive('--concurrency', options.concurrency);
  positive('--timeout', options.timeoutMs);
  if (!Number.isInteger(options.retries) || options.retries < 0) throw new UsageError(`--retries must be a whole number, got ${options.retries}`);
  try {
    new URL(options.baseUrl);
  } catch {
    throw new UsageError(`--base-url is not a URL: ${options.baseUrl}`);
  }
}

/**
 * Where a plan step keeps its log when the plan does not say: where its import would, the state of the target and
 * the step's resource (migrate and undo agree).
 */
export function defaultStepLog(target: Target): (step: { resource: string }) => string {
  return ({ resource }) => defaultLogPath(target, resource);
}

/**
 * The result log is `--log`, else the state of the target and resource (see defaultLogPath), which every export of
 * that resource imported from this folder shares. The rejects file sits next to the input; for input read once
 * (stdin, a pipe, a FIFO, a process substitution: no folder of its own, and a name like /dev/fd/63 that the next run
 * does not share) it is hire-import.rejects.* in the current folder.
 */
export function outputPaths(source: Pick<RecordSource, 'path' | 'format' | 'regularFile'>, log: string | undefined, target: Target, resource: string): { log: string; rejects: string } {
  const extension = source.regularFile ? extname(source.path) : '';
  const stem = source.regularFile ? join(dirname(source.path), basename(source.path, extension)) : 'hire-import';
  return {
    log: log ?? defaultLogPath(target, resource),
    // The input's own extension when the rejects are in its format; else the format's (a workbook's rejects are CSV).
    rejects: `${stem}.rejects${extension !== '' && formatFromPath(source.path) === source.format ? extension : `.${source.format}`}`,
  };
}

/**
 * An output that is the input under any name (a symlink, a hard link, ./x/../) would write into what is being read:
 * refused before anything is written. So is a log that is the rejects file, which a run may replace.
 */
function checkOutputsApart(options: ImportOptions, paths: { log: string; rejects: string }): void {
  const log = `${options.log === undefined ? 'the result log' : '--log'} ${paths.log}`;
  if (options.file !== '-' && sameFile(paths.log, options.file)) {
    throw new UsageError(`${log} is the input file ${options.file}; give the log a path of its own`);
  }
  if (options.file !== '-' && sameFile(paths.rejects, options.file)) {
    throw new UsageError(`the rejects file ${paths.rejects} is the input file ${options.file}; rename the input`);
  }
  if (sameFile(paths.log, paths.rejects)) throw new UsageError(`${log} is the rejects file of ${options.file}; give the log a path of its own`);
}

/** The command that imports the fixed rejects file into the same log: the default one needs no --log. */
function rerunCommand(options: ImportOptions, paths: { log: string; rejects: string }, program: string): string {
  // The rejects file is in the input's own shape, so whatever it took to read the input reads it too; an update
  // refused there, once fixed, is sent only by an import that updates.
  return importCommand(program, options, paths.log, paths.rejects, [], options.updateChanged ? ['--update-changed'] : []);
}

/** The command that continues this import where it stopped: the same one, without what only changes how it runs. */
function continueCommand(program: string, options: ImportOptions, log: string): string {
  // The pace too: a rate lowered for an app whose quota is shared is still wanted.
  const more: Array<[string, string | undefined]> = [['--sheet', options.sheet], ['--rate', options.rate?.toString()]];
  return importCommand(program, options, log, options.file, more, options.updateChanged ? ['--update-changed'] : []);
}

function importCommand(program: string, options: ImportOptions, log: string, input: string, more: Array<[string, string | undefined]> = [], switches: string[] = []): string {
  const words = [options.resource, input];
  const carried: Array<[string, string | undefined]> = [
    ['--log', options.log && log],
    ['--mapping', options.mapping],
    ['--format', options.format],
    ['--encoding', options.encoding],
    ['--delimiter', options.delimiter],
    ...more,
  ];
  for (const [flag, value] of carried) if (value) words.push(flag, value);
  if (options.sandbox) words.push('--sandbox');
  return commandLine(program, [...words, ...switches]);
}

function roundTo(value: number, decimals: number): number;
function roundTo(value: number | null | undefined, decimals: number): number | null;
function roundTo(value: number | null | undefined, decimals: number): number | null {
  return value === null || value === undefined ? null : Number(value.toFixed(decimals));
}
