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
import type { LogEntry, ResultLog } from '../log/resultLog.js';
import type { Sender, SendResult } from '../send/sender.js';
import type { Tally } from '../report/tally.js';
import { decide } from './decide.js';
import { bodyHash } from './identity.js';
import type { KnownIds } from './knownIds.js';
import { prepare } from './records.js';

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
  /** Absent on a dry run: decisions are counted, nothing is sent. */
  sender?: Sender;
  resultLog?: ResultLog;
  rejects?: RejectsWriter;
  tally: Tally;
  signal: AbortSignal;
  /** Stop reading once this many records are invalid or failed. */
  maxErrors?: number;
  now?: () => Date;
}

export interface PipelineOutcome {
  pending: number;
  wouldCreate: number;
  wouldUpdate: number;
  stoppedEarly: string | null;
}

export async function runPipeline(input: PipelineInput): Promise<PipelineOutcome> {
  const { endpoint, items, mapper, known, updateChanged, sender, resultLog, rejects, tally, signal, maxErrors } = input;
  const now = input.now ?? (() => new Date());
  const outcome: PipelineOutcome = { pending: 0, wouldCreate: 0, wouldUpdate: 0, stoppedEarly: null };

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
    log({ external_id: externalId, status: result.status, id: result.id, line: item.line, code: 0, hash: bodyHash(body), attempts: result.attempts });
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
        if (prepared.externalId !== undefined && known.has(prepared.externalId)) {
          tally.counts.skipped++;
          continue;
        }
        reject(item, prepared.problems, prepared.externalId);
        continue;
      }
      const { body, externalId } = prepared;
      const firstLine = known.firstLine(externalId, item.line);
      if (firstLine !== undefined) {
        reject(item, [{ field: mapper.endpoint.externalId, reason: `'${externalId}' already appears at line ${firstLine} of this input` }], externalId);
        continue;
      }

      const decision = decide(externalId, body, known, updateChanged);
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
  }
}

/** The input rows that make up a record: one, or a long file's whole group. */
function rawRows(item: SourceItem): { raw: string } | { raw: string }[] {
  return item.kind === 'record' && isGrouped(item) ? item.rows : item;
}
