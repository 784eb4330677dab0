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
import type { Created, Intent, LogEntry, ResultLog } from '../log/resultLog.js';
import type { Found } from '../send/matcher.js';
import type { SendJob, Sender, SendResult } from '../send/sender.js';
import type { Tally } from '../report/tally.js';
import { decide } from './decide.js';
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
  /** Stop reading once this many records are invalid or failed. */
  maxErrors?: number;
  /**
   * For endpoints whose records can be found again after a crash (readBack/recovery.ts): each create is announced in
   * the log before it is sent, and a record an earlier run announced without an outcome is looked for first.
   */
  intents?: {
    /** Earlier runs' intents with no outcome, by external_id. */
    pending: ReadonlyMap<string, Intent>;
    recover(intent: Intent): Promise<Found>;
  };
  now?: () => Date;
}

export interface PipelineOutcome {
  pending: number;
  wouldCreate: number;
  wouldUpdate: number;
  stoppedEarly: string | null;
}

export async function runPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { endpoint, items, mapper, created, updateChanged, sender, resultLog, rejects, tally, signal, maxErrors, intents } = input;
  const now = input.now ?? (() => new Date());
  const outcome: PipelineOutcome = { pending: 0, wouldCreate: 0, wouldUpdate: 0, stoppedEarly: null };
  /** To refuse a record that repeats the external_id of an earlier one in the same input. */
  const seen = new SeenIds();

  const log = (entry: Omit<LogEntry, 'resource' | 'at' | 'file'>) => {
    if (!resultLog) return;
    resultLog.append({ ...entry, resource: endpoint.resource, file: input.file, at: now().toISOString() });
    // A log that cannot be written stops the sending at once; what it could not take stays in resultLog.unwritten.
    if (resultLog.failure) sender?.stop(resultLog.failure);
  };

  const reject = (item: SourceItem, problems: Problem[], externalId?: string) => {
    tally.counts.invalid++;
    for (const problem of problems) tally.problem({ line: item.line, external_id: externalId, ...problem });
    log({
      external_id: externalId ?? null,
      status: 'invalid',
      line: item.line,
      field: problems[0]?.field,
      msg: problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; '),
    });
    rejects?.write(rawRows(item));
  };

  const settle = (item: SourceItem, externalId: string, body: unknown, result: SendResult) => {
    if (result.status === 'pending') {
      outcome.pending++;
      return;
    }
    if (result.status === 'failed') {
      tally.counts.failed++;
      tally.problem({ line: item.line, external_id: externalId, field: '(server)', reason: `${result.code}: ${result.msg}` });
      const { code, msg, attempts, logId } = result;
      log({ external_id: externalId, status: 'failed', line: item.line, code, msg, attempts, ...(logId ? { logId } : {}) });
      rejects?.write(rawRows(item));
      return;
    }
    tally.counts[result.status]++;
    const recovered = result.recovered ? { recovered: true as const } : {};
    log({ external_id: externalId, status: result.status, id: result.id, line: item.line, code: 0, hash: bodyHash(body), attempts: result.attempts, ...recovered });
  };

  /** A create, announced first where intents are kept; undefined when the announcement could not be written. */
  const createJob = (externalId: string, body: Record<string, unknown>): SendJob | undefined => {
    if (!intents || !resultLog) return { action: 'create', body };
    const parent = endpoint.parent === undefined ? undefined : body[endpoint.parent.field];
    resultLog.append({ external_id: externalId, status: 'sending', resource: endpoint.resource, ...(typeof parent === 'string' ? { parent } : {}) });
    if (resultLog.failure) {
      sender?.stop(resultLog.failure);
      return undefined;
    }
    const earlier = intents.pending.get(externalId);
    return earlier ? { action: 'create', body, recover: () => intents.recover(earlier) } : { action: 'create', body };
  };

  try {
    await readAll();
  } finally {
    // Whatever stopped the reading, every answer under way is awaited and logged before the log can close.
    await sender?.drain();
  }
  return outcome;

  async function readAll(): Promise<void> {
    for await (const item of items) {
      if (signal.aborted || sender?.fatal) break;
      if (maxErrors !== undefined && tally.counts.invalid + tally.counts.failed >= maxErrors) {
        outcome.stoppedEarly = `reached --max-errors ${maxErrors}`;
        break;
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
      const job = decision.action === 'create' ? createJob(externalId, body) : { action: 'update' as const, id: decision.id, body };
      if (!job) {
        outcome.pending++;
        break;
      }
      await sender.submit(job, (result) => settle(item, externalId, body, result));
    }
  }
}

/** The input rows that make up a record: one, or a long file's whole group. */
function rawRows(item: SourceItem): { raw: string } | { raw: string }[] {
  return item.kind === 'record' && isGrouped(item) ? item.rows : item;
}
