/**
 * The import loop: read -> map -> validate -> decide -> (inside a plan: the parents' ids) -> send -> log. Records
 * stream through one at a time; the sender's bounded slots are the only buffer, so memory stays flat however large
 * the input is. Inside a plan a record whose parent has no Feishu id yet is parked (its validated body and a
 * resolver) and the reading goes on, pausing while its parent step says too many children wait: a child waits for
 * its own parent only. A record whose parent will never come in this run is logged `blocked`, and rejected.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import { withStepIds, type Mapper, type StepKeyAt } from '../map/mapping.js';
import { fieldPath, type Problem } from '../validate/problem.js';
import { updateProblems } from '../validate/updateLimits.js';
import type { SourceItem } from '../read/source.js';
import type { RejectsWriter } from '../read/rejects.js';
import type { Intent, LogEntry, ResultLog } from '../log/resultLog.js';
import type { ParentAnswer, ParentOutcome } from '../plan/parentIds.js';
import type { Found } from '../send/matcher.js';
import type { Sender, SendJob, SendResult } from '../send/sender.js';
import type { Tally } from '../report/tally.js';
import { heldUpdateProblems, type CarriedHold } from './carriedHold.js';
import { decide } from './decide.js';
import { ErrorBudget, errorKey, type MaxErrors } from './errorBudget.js';
import { bodyHash, inputHash, refusalHash } from './identity.js';
import type { KnownIds } from './knownIds.js';
import { prepare, rawRows } from './records.js';

/** A parent step's ids as its children see them (src/plan/parentIds.ts ParentIds). */
export interface ParentSource {
  /** The id now if known, else a promise of it, or of why there will be none. */
  resolve(key: string): ParentAnswer | Promise<ParentAnswer>;
  /** Resolves when few enough children wait for this parent that reading on is fine. */
  room(): Promise<void>;
}

export interface PipelineInput {
  /** The endpoint imported into; its resource is recorded with each outcome. */
  endpoint: EndpointDescription;
  /** The input's name, recorded with each outcome. */
  file: string;
  items: AsyncIterable<SourceItem>;
  mapper: Mapper;
  /**
   * What earlier runs created, from the result log (with ids and hashes when updating); this run adds the lines it
   * sees each key at, to refuse a record that repeats the external_id of an earlier one in the same input.
   */
  known: KnownIds;
  updateChanged: boolean;
  /** Children an update of a record would remove (carriedHold.ts): such updates are refused. */
  holds?: readonly CarriedHold[];
  /** Absent on a dry run: decisions are counted, nothing is sent. */
  sender?: Sender;
  resultLog?: ResultLog;
  rejects?: RejectsWriter;
  tally: Tally;
  signal: AbortSignal;
  /** Stop reading once this many records (or this share of those read) are invalid or failed anew. */
  maxErrors?: MaxErrors;
  /** The records earlier runs logged as invalid or failed (by `errorKey`): they do not count against `maxErrors`. */
  knownErrors?: ReadonlySet<string>;
  /**
   * The `refusal` of each record (by `errorKey`) whose last line is invalid or blocked: the same refusal again is
   * counted and rejected but not logged again, so the log of a nightly run does not grow by its known-bad lines.
   */
  knownRefusals?: ReadonlyMap<string, string>;
  now?: () => Date;
  /**
   * For endpoints whose records can be found again after a crash (readBack/recovery.ts): each create is announced in
   * the log before it is sent, and a record an earlier run announced without an outcome is looked for first.
   */
  intents?: {
    /** Earlier runs' intents with no outcome, by external_id. */
    pending: ReadonlyMap<string, Intent>;
    /** Looks for the record `intent` announced, as `body` (sent now) would be on the server. */
    recover(intent: Intent, body: Record<string, unknown>): Promise<Found>;
    /** The key of a body's content, written with its intent (readBack/recovery.ts contentKey). */
    contentKey(body: Record<string, unknown>): string;
  };
  /** Inside a plan: the ids of the steps the mapping's `{ step }` lookups name, by lookup name. */
  parents?: ReadonlyMap<string, ParentSource>;
  /**
   * Inside a plan, when other steps look this one up: told each outcome as it is logged. On a dry run, which creates
   * nothing, a record that would be created is told as created with a stand-in id, so its children are checked too.
   */
  own?: { record(outcome: ParentOutcome): void };
}

export interface PipelineOutcome {
  pending: number;
  wouldCreate: number;
  wouldUpdate: number;
  stoppedEarly: string | null;
  /** Every record of the input was read (nothing stopped the reading). */
  readToEnd: boolean;
  /** Failed on a transient error (the server or the network): logged `failed`, not rejects; the next run retries them. */
  retryable: number;
  /**
   * What ended the reading before the end of the input, when something went wrong (a rejects file that cannot be
   * written, an input that stopped being readable, a bug): the run stops with it and still reports what was done.
   */
  failure?: Error;
}

export async function runPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { endpoint, items, mapper, known, updateChanged, sender, resultLog, rejects, tally, signal, parents, own, intents } = input;
  const now = input.now ?? (() => new Date());
  const outcome: PipelineOutcome = { pending: 0, wouldCreate: 0, wouldUpdate: 0, stoppedEarly: null, readToEnd: false, retryable: 0 };
  const errors = new ErrorBudget(input.maxErrors, input.knownErrors ?? new Set());
  /** Records waiting for a parent's id; an error in one (a bug) is thrown once the others are done. */
  const parked = new Set<Promise<void>>();
  let parkedError: unknown;
  /** Settles when the run stops early (Ctrl-C, a fatal answer): parked records then stay unsent, for a rerun. */
  let stopWaiting!: () => void;
  const stopping = new Promise<'stopped'>((settle) => (stopWaiting = () => settle('stopped')));
  signal.addEventListener('abort', stopWaiting, { once: true });

  const log = (entry: Omit<LogEntry, 'resource' | 'at' | 'file'>) => {
    if (resultLog) {
      resultLog.append({ ...entry, resource: endpoint.resource, file: input.file, at: now().toISOString() });
      // A log that cannot be written stops the sending at once; what it could not take stays in resultLog.unwritten.
      if (resultLog.failure) sender?.stop(resultLog.failure);
    }
    own?.record(entry);
  };

  /** Keeps a record for the user to fix, with why; a rejects file that cannot be written stops the run like the log. */
  const keep = (item: SourceItem, reason: string) => {
    try {
      rejects?.write(rawRows(item), reason);
    } catch (error) {
      stopWith(error);
    }
  };
  const stopWith = (error: unknown) => {
    outcome.failure ??= error instanceof Error ? error : new Error(String(error));
    sender?.stop(outcome.failure);
  };

  /** An invalid or blocked line, unless the record's last line already says exactly this about the same input. */
  const logRefusal = (item: SourceItem, entry: Omit<LogEntry, 'resource' | 'at' | 'file'> & { status: 'invalid' | 'blocked'; msg: string }) => {
    const refusal = refusalHash({ ...entry, file: input.file }, rawRows(item));
    if (input.knownRefusals?.get(errorKey(entry.external_id, input.file, entry.line)) === refusal) own?.record(entry);
    else log({ ...entry, refusal });
  };

  const reject = (item: SourceItem, problems: Problem[], externalId?: string) => {
    tally.counts.invalid++;
    errors.note(errorKey(externalId, input.file, item.line));
    for (const problem of problems) tally.problem({ line: item.line, external_id: externalId, ...problem });
    const msg = problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
    logRefusal(item, { external_id: externalId ?? null, status: 'invalid', line: item.line, field: problems[0]?.field, msg });
    keep(item, msg);
  };

  const block = (item: SourceItem, externalId: string, field: string, reason: string) => {
    tally.counts.blocked++;
    tally.problem({ line: item.line, external_id: externalId, field, reason });
    logRefusal(item, { external_id: externalId, status: 'blocked', line: item.line, field, msg: reason });
    keep(item, reason);
  };

  /** `body`: the record as it was sent, parents' ids in place: its hash is logged, as every path computes it. */
  const settle = (item: SourceItem, externalId: string, body: unknown, result: SendResult) => {
    if (result.status === 'pending') {
      outcome.pending++;
      return;
    }
    if (result.status === 'failed') {
      tally.counts.failed++;
      errors.note(errorKey(externalId, input.file, item.line));
      tally.problem({ line: item.line, external_id: externalId, field: '(server)', reason: `${result.code}: ${result.msg}` });
      const { code, msg, attempts, logId } = result;
      log({ external_id: externalId, status: 'failed', line: item.line, code, msg, attempts, ...(logId ? { logId } : {}) });
      // The rejects file is for records the user must fix; one the server or the network failed is retried instead.
      if (result.retryable) outcome.retryable++;
      else keep(item, msg);
      return;
    }
    if (result.status === 'invalid') {
      reject(item, [{ field: result.field, reason: result.msg }], externalId);
      return;
    }
    tally.counts[result.status]++;
    const recovered = result.recovered ? { recovered: true as const } : {};
    log({ external_id: externalId, status: result.status, id: result.id, line: item.line, code: 0, hash: bodyHash(body), attempts: result.attempts, ...recovered });
  };

  /**
   * A create announced in the log where intents are kept, with its parent's id as sent, when it is about to go on the
   * wire (not while it waits for a slot or the pace: a rerun then reads back only what was in flight); one an earlier
   * run announced is looked for first. A create whose announcement cannot be written is not sent.
   */
  const announced = (externalId: string, job: SendJob): SendJob => {
    if (!intents || !resultLog || job.action !== 'create') return job;
    const parent = endpoint.parent === undefined ? undefined : job.body[endpoint.parent.field];
    const content = intents.contentKey(job.body);
    const announce = () => {
      resultLog.append({ external_id: externalId, status: 'sending', resource: endpoint.resource, ...(typeof parent === 'string' ? { parent } : {}), content, at: now().toISOString() });
      if (resultLog.failure) sender?.stop(resultLog.failure);
      return !resultLog.failure;
    };
    const earlier = intents.pending.get(externalId);
    return { ...job, announce, ...(earlier ? { recover: () => intents.recover(earlier, job.body) } : {}) };
  };

  /** Sends the job (counts it on a dry run); the hash of its body, as sent, is logged. An update it cannot take is refused. */
  const send = async (item: SourceItem, externalId: string, job: SendJob) => {
    const refused = job.action === 'update' ? [...updateProblems(endpoint, job.body), ...heldUpdateProblems(endpoint, input.holds ?? [], job.id!)] : [];
    if (refused.length > 0) return reject(item, refused, externalId);
    if (!sender) {
      if (job.action === 'update') outcome.wouldUpdate++;
      else {
        outcome.wouldCreate++;
        own?.record({ external_id: externalId, status: 'created', id: `(dry run: ${externalId})` });
      }
      return;
    }
    await sender.submit(announced(externalId, job), (result) => settle(item, externalId, job.body, result));
  };

  /** With every parent's answer: blocked, left for a rerun, or sent with the parents' ids in place of their keys. */
  const sendToParents = async (item: SourceItem, externalId: string, job: SendJob, keys: StepKeyAt[], answers: ParentAnswer[] | 'stopped') => {
    const missing = answers === 'stopped' ? -1 : answers.findIndex((answer) => answer.status === 'missing');
    if (answers !== 'stopped' && missing >= 0) {
      return block(item, externalId, fieldPath(keys[missing]!.path), (answers[missing] as { reason: string }).reason);
    }
    const found = answers === 'stopped' ? [] : answers.flatMap((answer) => (answer.status === 'found' ? [answer] : []));
    if (found.length < keys.length || signal.aborted || sender?.fatal) {
      outcome.pending++;
      return;
    }
    const ids = found.map((answer) => answer.id);
    // A parent created moments ago may not be visible to its child's create yet: the sender then retries.
    const parentCreatedRecently = found.some((answer) => answer.createdAt !== undefined);
    const body = withStepIds(job.body, keys, ids);
    // An update is decided on the body as it is sent, with its parents' ids, as a single import decides it.
    if (job.action === 'update' && decide(externalId, body, known, true).action === 'skip') {
      tally.counts.skipped++;
      return;
    }
    await send(item, externalId, { ...job, body, ...(parentCreatedRecently ? { parentCreatedRecently } : {}) });
  };

  try {
    await readAll();
  } catch (error) {
    stopWith(error);
  } finally {
    if (signal.aborted || sender?.fatal || outcome.failure) stopWaiting();
    // Whatever stopped the reading, every parked record and every answer under way is settled and logged before
    // the log can close.
    while (parked.size > 0) await Promise.all(parked);
    await sender?.drain();
    signal.removeEventListener('abort', stopWaiting);
  }
  if (parkedError !== undefined) stopWith(parkedError); // a bug: the run still reports what was done
  return outcome;

  async function readAll(): Promise<void> {
    for await (const item of items) {
      if (signal.aborted || sender?.fatal || outcome.failure) return;
      const overBudget = errors.exceeded(tally.counts.read);
      if (overBudget) {
        outcome.stoppedEarly = overBudget;
        return;
      }
      tally.counts.read++;
      const prepared = await prepare(item, mapper);
      if (!prepared.ok) {
        // A broken row whose record was since imported from a fixed copy (the rejects file) is done, not invalid.
        if (prepared.externalId !== undefined && known.has(prepared.externalId)) {
          tally.counts.skipped++;
          continue;
        }
        reject(item, prepared.problems, prepared.externalId);
        continue;
      }
      const { body, local, externalId, stepKeys = [] } = prepared;
      const earlier = known.firstSeen(externalId, item.line, inputHash(rawRows(item)));
      if (earlier?.sameInput) {
        // The same row exported twice is the same record: counted once, not a problem every nightly run.
        tally.counts.duplicates++;
        continue;
      }
      if (earlier !== undefined) {
        reject(item, [{ field: mapper.endpoint.externalId, reason: `'${externalId}' already appears at line ${earlier.line} of this input, with other content` }], externalId);
        continue;
      }

      // Decided on the parents' legacy keys: a record done by an earlier run waits for nothing.
      const decision = decide(externalId, body, known, updateChanged);
      if (decision.action === 'skip') {
        tally.counts.skipped++;
        continue;
      }
      const job: SendJob = decision.action === 'create' ? { action: 'create', body, local } : { action: 'update', id: decision.id, body };
      if (stepKeys.length === 0) {
        await send(item, externalId, job);
        continue;
      }
      const sources = stepKeys.map((key) => parentSource(parents, key));
      const answers = sources.map((source, index) => source.resolve(stepKeys[index]!.key));
      if (!answers.some((answer) => answer instanceof Promise)) {
        await sendToParents(item, externalId, job, stepKeys, answers as ParentAnswer[]);
        continue;
      }
      const waiting = Promise.race([Promise.all(answers), stopping])
        .then((settled) => sendToParents(item, externalId, job, stepKeys, settled))
        .catch((error: unknown) => void (parkedError ??= error));
      parked.add(waiting);
      void waiting.then(() => parked.delete(waiting));
      for (const source of sources) if ((await Promise.race([source.room(), stopping])) === 'stopped') return;
    }
    outcome.readToEnd = true;
  }
}

function parentSource(parents: ReadonlyMap<string, ParentSource> | undefined, key: StepKeyAt): ParentSource {
  const source = parents?.get(key.lookup);
  // The plan gives every `{ step }` lookup of the mapping its step's ids.
  if (source === undefined) throw new Error(`no ids for lookup ${key.lookup} at ${fieldPath(key.path)}`);
  return source;
}
