/**
 * The import loop: read -> map -> validate -> decide -> send -> log. Records stream through one at a time; the
 * sender's bounded slots are the only buffer, so memory stays flat however large the input is.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import { isGrouped } from '../map/group.js';
import type { Mapper } from '../map/mapping.js';
import type { Problem } from '../validate/problem.js';
import type { SourceItem } from '../read/source.js';
import type { RejectsWriter } from '../read/rejects.js';
import type { Created, LogEntry, ResultLog } from '../log/resultLog.js';
import type { Sender, SendResult } from '../send/sender.js';
import type { Tally } from '../report/tally.js';
import { decide } from './decide.js';
import { ErrorBudget, errorKey, type MaxErrors } from './errorBudget.js';
import { bodyHash } from './identity.js';
import { prepare } from './records.js';
import { SeenIds } from './seenIds.js';

export interface PipelineInput {
  /** The endpoint imported into; its resource is recorded with each outcome. */
  endpoint: EndpointDescription;
  /** The input's name, recorded with each outcome. */
  file: string;
  items: AsyncIterable<SourceItem>;
  mapper: Mapper;
  /** What earlier runs created, from the result log. */
  created: Created;
  updateChanged: boolean;
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
  now?: () => Date;
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
  const { endpoint, items, mapper, created, updateChanged, sender, resultLog, rejects, tally, signal } = input;
  const now = input.now ?? (() => new Date());
  const outcome: PipelineOutcome = { pending: 0, wouldCreate: 0, wouldUpdate: 0, stoppedEarly: null, readToEnd: false, retryable: 0 };
  const errors = new ErrorBudget(input.maxErrors, input.knownErrors ?? new Set());
  /** To refuse a record that repeats the external_id of an earlier one in the same input. */
  const seen = new SeenIds();

  const log = (entry: Omit<LogEntry, 'resource' | 'at' | 'file'>) => {
    if (!resultLog) return;
    resultLog.append({ ...entry, resource: endpoint.resource, file: input.file, at: now().toISOString() });
    // A log that cannot be written stops the sending at once; what it could not take stays in resultLog.unwritten.
    if (resultLog.failure) sender?.stop(resultLog.failure);
  };

  /** Keeps a record for the user to fix; a rejects file that cannot be written stops the run like the log. */
  const keep = (item: SourceItem) => {
    try {
      rejects?.write(rawRows(item));
    } catch (error) {
      stopWith(error);
    }
  };
  const stopWith = (error: unknown) => {
    outcome.failure ??= error instanceof Error ? error : new Error(String(error));
    sender?.stop(outcome.failure);
  };

  const reject = (item: SourceItem, problems: Problem[], externalId?: string) => {
    tally.counts.invalid++;
    errors.note(errorKey(externalId, input.file, item.line));
    for (const problem of problems) tally.problem({ line: item.line, external_id: externalId, ...problem });
    log({
      external_id: externalId ?? null,
      status: 'invalid',
      line: item.line,
      field: problems[0]?.field,
      msg: problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; '),
    });
    keep(item);
  };

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
      else keep(item);
      return;
    }
    tally.counts[result.status]++;
    log({ external_id: externalId, status: result.status, id: result.id, line: item.line, code: 0, hash: bodyHash(body), attempts: result.attempts });
  };

  try {
    await readAll();
  } catch (error) {
    stopWith(error);
  } finally {
    // Whatever stopped the reading, every answer under way is awaited and logged before the log can close.
    await sender?.drain();
  }
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
        if (prepared.externalId !== undefined && created.has(prepared.externalId)) {
          tally.counts.skipped++;
          continue;
        }
        reject(item, prepared.problems, prepared.externalId);
        continue;
      }
      const { body, externalId } = prepared;
      const firstLine = seen.firstLine(externalId, item.line);
      if (firstLine !== undefined) {
        reject(item, [{ field: mapper.endpoint.externalId, reason: `'${externalId}' already appears at line ${firstLine} of this input` }], externalId);
        continue;
      }

      const decision = decide(externalId, body, created, updateChanged);
      if (decision.action === 'skip') {
        tally.counts.skipped++;
        continue;
      }
      if (!sender) {
        if (decision.action === 'create') outcome.wouldCreate++;
        else outcome.wouldUpdate++;
        continue;
      }
      const job = decision.action === 'create' ? { action: 'create' as const, body } : { action: 'update' as const, id: decision.id, body };
      await sender.submit(job, (result) => settle(item, externalId, body, result));
    }
    outcome.readToEnd = true;
  }
}

/** The input rows that make up a record: one, or a long file's whole group. */
function rawRows(item: SourceItem): { raw: string } | { raw: string }[] {
  return item.kind === 'record' && isGrouped(item) ? item.rows : item;
}
