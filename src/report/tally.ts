/** Running counts of an import, shared by the live progress line and the final summary. */
import { ProblemGroups, type RecordProblem } from './problemGroups.js';

export interface Counts {
  /** Records read from the input (a long file's group counts once). */
  read: number;
  created: number;
  updated: number;
  /** Existing records found by lookup and reused instead of created (talents). */
  matched: number;
  /** Already created by an earlier run (and unchanged, with --update-changed). */
  skipped: number;
  invalid: number;
  failed: number;
  /** Inside a plan: not sent because the parent never got a Feishu id (see LogStatus). */
  blocked: number;
  /** Rows with every cell equal to an earlier row of the same key in this input: the record is counted once. */
  duplicates: number;
}

/** How many problems the JSON summary keeps one by one; the log and the rejects file keep them all. */
export const problemsKept = 100;

export class Tally {
  readonly counts: Counts = { read: 0, created: 0, updated: 0, matched: 0, skipped: 0, invalid: 0, failed: 0, blocked: 0, duplicates: 0 };
  readonly problems: RecordProblem[] = [];
  /** Every problem, grouped by reason. */
  readonly problemGroups = new ProblemGroups();

  problem(problem: RecordProblem): void {
    if (this.problems.length < problemsKept) this.problems.push(problem);
    this.problemGroups.add(problem);
  }

  /** Records with an outcome: sent and answered, skipped, or refused. */
  get finished(): number {
    const { created, updated, matched, skipped, invalid, failed, blocked, duplicates } = this.counts;
    return created + updated + matched + skipped + invalid + failed + blocked + duplicates;
  }

  /** Records sent and answered (created, updated, matched by a lookup, or failed after its requests): what the rate counts. */
  get sent(): number {
    const { created, updated, matched, failed } = this.counts;
    return created + updated + matched + failed;
  }
}
