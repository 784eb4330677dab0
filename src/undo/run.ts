/**
 * Runs an undo: level by level, children first; within a level every resource at once, each through a sender of
 * its own (so each delete API keeps its own pace). Guarantees:
 * - each deletion is written to the log its create was written to as soon as its answer is known (`deleted`, or
 *   `notFound` when the record was already gone), so an undo stopped at any moment resumes where it stopped;
 * - a refused delete counts as "already gone" only when reading the record back by its id finds it absent: Feishu
 *   documents no not-found answer for a DELETE, and its generic parameter error (1002002) may mean anything;
 * - a level starts only once the one before it has finished with nothing failed or left undone: a parent is never
 *   deleted while a child of it may still be there;
 * - records carried away by a parent (assessments with their interview) are logged `withParent` once every parent
 *   in the logs is deleted, never before;
 * - an interrupt, a log that cannot be written or a fatal answer starts nothing new; what was not deleted stays in
 *   the logs as created, for a rerun.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import type { DeletedEntry, ResultLog } from '../log/resultLog.js';
import type { DeleteResult, Sender } from '../send/sender.js';
import type { UndoRecord, UndoTargets } from './targets.js';

export interface ResourceCounts {
  /** Deleted by this run. */
  deleted: number;
  /** Already gone when asked: deleted by an earlier run whose answer was lost, or removed by hand. */
  notFound: number;
  /** Logged as deleted with their parent (no delete of their own). */
  withParent: number;
  failed: number;
  /** Not deleted because the run stopped first (or, for carried records, because a parent could not be deleted). */
  pending: number;
}

export interface DeleteProblem {
  resource: string;
  externalId: string;
  id: string;
  code: number | string;
  msg: string;
  logId?: string;
}

/** What an undo has done so far; the progress line reads it while the undo runs. */
export class UndoTally {
  readonly byResource = new Map<string, ResourceCounts>();
  readonly problems: DeleteProblem[] = [];
  /** The level under way (an index into the targets' levels), and its senders by resource. */
  level = 0;
  live = new Map<string, Sender>();
  /** Resources not started because some of their children could not be deleted. */
  readonly heldBack = new Set<string>();

  counts(resource: string): ResourceCounts {
    let counts = this.byResource.get(resource);
    if (!counts) this.byResource.set(resource, (counts = { deleted: 0, notFound: 0, withParent: 0, failed: 0, pending: 0 }));
    return counts;
  }
}

export interface UndoRunInput {
  targets: UndoTargets;
  tally: UndoTally;
  senderFor(endpoint: EndpointDescription): Sender;
  /** The open log a record's deletion is written to: the one named by its `log`. */
  logFor(path: string): ResultLog<DeletedEntry>;
  signal: AbortSignal;
  now?: () => Date;
  /**
   * Whether a record whose delete was refused is gone after all, read back by its id: true, or why it cannot be
   * taken as gone (it is still there, or it cannot be read back). Without it, a refusal is a failure.
   */
  isGone?(endpoint: EndpointDescription, id: string): Promise<true | string>;
}

/** Resolves once every level has run or the run stopped; the error that stopped it, if one did. */
export async function runUndo(input: UndoRunInput): Promise<{ stop?: Error }> {
  const { targets, tally, signal } = input;
  const now = input.now ?? (() => new Date());
  let stop: Error | undefined;
  const write = (resource: string, record: UndoRecord, how: DeletedEntry['how'], answer: Partial<Pick<DeletedEntry, 'attempts' | 'logId'>> = {}) => {
    const log = input.logFor(record.log);
    log.append({ resource, external_id: record.externalId, status: 'deleted', id: record.id, how, ...answer, at: now().toISOString() });
    stop ??= log.failure;
  };
  const unfinished = (resource: string) => tally.counts(resource).failed + tally.counts(resource).pending > 0;

  for (const [index, level] of targets.levels.entries()) {
    tally.level = index;
    const childLeft = targets.levels.slice(0, index).flat().some(({ endpoint }) => unfinished(endpoint.resource));
    if (stop || signal.aborted || childLeft) {
      for (const { endpoint, records } of level) {
        tally.counts(endpoint.resource).pending += records.length;
        if (records.length > 0 && childLeft && !stop && !signal.aborted) tally.heldBack.add(endpoint.resource);
      }
    } else {
      tally.live = new Map(level.map(({ endpoint }) => [endpoint.resource, input.senderFor(endpoint)]));
      await Promise.all(
        level.map(async ({ endpoint, records }) => {
          const sender = tally.live.get(endpoint.resource)!;
          const counts = tally.counts(endpoint.resource);
          const checking = new Set<Promise<void>>();
          const settle = (record: UndoRecord, result: DeleteResult) => {
            if (result.status === 'pending') counts.pending++;
            else if (result.status === 'failed') {
              if (input.isGone && !result.retryable && !sender.fatal) {
                const check = input.isGone(endpoint, record.id).then((gone) => {
                  if (gone === true) settle(record, { status: 'deleted', id: record.id, notFound: true, attempts: result.attempts, ...(result.logId ? { logId: result.logId } : {}) });
                  else fail(record, { ...result, msg: `${result.msg} (${gone})` });
                });
                checking.add(check);
                void check.finally(() => checking.delete(check));
                return;
              }
              fail(record, result);
            } else {
              counts[result.notFound ? 'notFound' : 'deleted']++;
              write(endpoint.resource, record, result.notFound ? 'notFound' : 'deleted', { attempts: result.attempts, ...(result.logId ? { logId: result.logId } : {}) });
              if (stop) sender.stop(stop);
            }
          };
          const fail = (record: UndoRecord, { code, msg, logId }: Extract<DeleteResult, { status: 'failed' }>) => {
            counts.failed++;
            tally.problems.push({ resource: endpoint.resource, externalId: record.externalId, id: record.id, code, msg, ...(logId ? { logId } : {}) });
          };
          let submitted = 0;
          for (const record of records) {
            if (signal.aborted || sender.fatal || stop) break;
            await sender.submitDelete(record.id, (result) => settle(record, result));
            submitted++;
          }
          await sender.drain();
          while (checking.size > 0) await Promise.all(checking);
          counts.pending += records.length - submitted;
          stop ??= sender.fatal;
        }),
      );
      tally.live = new Map();
    }
    // Records carried by this level's resources go once every parent is deleted; else they wait for a rerun.
    for (const carried of targets.carried) {
      if (!level.some(({ endpoint }) => endpoint.resource === carried.parent)) continue;
      const counts = tally.counts(carried.endpoint.resource);
      if (unfinished(carried.parent) || stop) {
        counts.pending += carried.records.length;
        continue;
      }
      for (const record of carried.records) {
        write(carried.endpoint.resource, record, 'withParent');
        counts.withParent++;
      }
    }
  }
  return stop ? { stop } : {};
}
