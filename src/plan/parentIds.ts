/**
 * One plan step's legacy keys -> Feishu ids, live while the plan runs, for the steps that look it up (its children).
 * Guarantees:
 * - `resolve(key)` answers at once when the id is known (in the step's result log at start, or logged since), and
 *   otherwise as soon as the step logs it; a child waits for its own parent only, never for the whole step;
 * - ids are held compactly: the log's through the step's own KnownIds (shared, not copied), this run's in a
 *   KnownIds of their own, and creation times only for the last `recentMs`;
 * - a key the step has not produced when it finishes answers `missing` (the child is blocked, naming the step and
 *   the key), and only then: a parent that failed or was invalid may still be fixed and rerun; a step that stopped
 *   early (Ctrl-C, a fatal answer) answers `stopped` instead, so its children wait for a rerun rather than being
 *   blocked;
 * - waiting is compact: one resolver per waiting child record, in a Map key -> resolvers, with no timers; `room()`
 *   lets a child's reader pause while `parkLimit` children wait, so memory stays bounded however far ahead it reads.
 */
import { KnownIds } from '../import/knownIds.js';

/**
 * A parent's Feishu id, and when this run created it (on the clock's timeline), if that was within the last
 * `recentMs`: a child's "parent missing" answer is then worth retrying, as the parent may not be visible yet.
 */
export interface KnownParent {
  id: string;
  createdAt?: number;
}

/** What the step's result log held at the start: the step's own KnownIds, read, never copied. */
export interface LoggedIds {
  created(key: string): { id: string } | undefined;
}

export type ParentAnswer =
  | ({ status: 'found' } & KnownParent)
  /** The parent step finished without this key: log the child `blocked` with the reason. */
  | { status: 'missing'; reason: string }
  /** The parent step stopped before this key was known: the child is not sent, and a rerun sends it. */
  | { status: 'stopped'; reason: string };

/** How a step ended: `complete` when every record of its input got its outcome, `stopped` otherwise. */
export type StepEnd = 'complete' | 'stopped';

/** The part of a result log line that matters here. */
export interface ParentOutcome {
  external_id: string | null;
  status: string;
  id?: string;
}

export interface ParentIdsOptions {
  /** The step's name, for the reasons children are given. */
  step: string;
  /** What the step's result log already holds (created, updated, matched records). */
  logged?: LoggedIds;
  /** The clock that dates ids created in this run (the sender compares with the same clock). */
  now: () => number;
  /** How many children may wait before `room()` makes their readers pause. */
  parkLimit?: number;
  /** How long an id created in this run keeps its creation time (default a minute). */
  recentMs?: number;
}

/** The statuses whose log line carries the record's Feishu id. */
const withId: ReadonlySet<string> = new Set(['created', 'updated', 'matched']);

const noWait: Promise<void> = Promise.resolve();

export class ParentIds {
  readonly step: string;
  readonly parkLimit: number;
  readonly #now: () => number;
  readonly #recentMs: number;
  readonly #logged: LoggedIds | undefined;
  /** Ids this run logged, and when, for the last `recentMs` (oldest first: a Map keeps insertion order). */
  readonly #created = new KnownIds();
  readonly #createdAt = new Map<string, number>();
  /** Keys the step logged without an id (failed, invalid, blocked), for a child's reason. */
  readonly #notCreated = new Map<string, string>();
  readonly #waiting = new Map<string, Array<(answer: ParentAnswer) => void>>();
  #parked = 0;
  #end: StepEnd | undefined;
  #roomWaiters: Array<() => void> = [];

  constructor(options: ParentIdsOptions) {
    this.step = options.step;
    this.parkLimit = options.parkLimit ?? 10_000;
    this.#now = options.now;
    this.#recentMs = options.recentMs ?? 60_000;
    this.#logged = options.logged;
  }

  /** Children waiting for an id right now. */
  get parked(): number {
    return this.#parked;
  }

  get finished(): boolean {
    return this.#end !== undefined;
  }

  /** The parent's id now if known, else a promise of it (or of why there will be none). */
  resolve(key: string): ParentAnswer | Promise<ParentAnswer> {
    const known = this.#known(key);
    if (known !== undefined) return known;
    if (this.#end !== undefined) return this.#unresolved(key, this.#end);
    return new Promise((settle) => {
      const waiters = this.#waiting.get(key);
      if (waiters === undefined) this.#waiting.set(key, [settle]);
      else waiters.push(settle);
      this.#parked++;
    });
  }

  /** Resolves when fewer than `parkLimit` children wait: a child's reader awaits it before reading on. */
  room(): Promise<void> {
    if (this.#parked < this.parkLimit) return noWait;
    return new Promise((resume) => this.#roomWaiters.push(resume));
  }

  /** Each outcome the step logs, as it logs it: an id wakes the children waiting for that key. */
  record(outcome: ParentOutcome): void {
    if (this.#end !== undefined) throw new Error(`step ${this.step} logged ${outcome.external_id} after it finished`);
    const key = outcome.external_id;
    if (key === null) return;
    if (!withId.has(outcome.status) || outcome.id === undefined) {
      // A failed update of a record created earlier leaves it created.
      if (this.#known(key) === undefined) this.#notCreated.set(key, outcome.status);
      return;
    }
    const now = this.#now();
    this.#created.recordCreated(key, outcome.id);
    this.#createdAt.delete(key);
    this.#createdAt.set(key, now);
    for (const [old, at] of this.#createdAt) {
      if (now - at <= this.#recentMs) break;
      this.#createdAt.delete(old);
    }
    this.#notCreated.delete(key);
    this.#wake(key, { status: 'found', id: outcome.id, createdAt: now });
  }

  /** The step has ended: every child still waiting learns that its parent will not come in this run. */
  finish(end: StepEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    for (const key of [...this.#waiting.keys()]) this.#wake(key, this.#unresolved(key, end));
  }

  #known(key: string): ParentAnswer | undefined {
    const parent = this.#created.created(key) ?? this.#logged?.created(key);
    if (parent === undefined) return undefined;
    const createdAt = this.#createdAt.get(key);
    // Pruned only as ids arrive: a quiet step may still hold a time older than recentMs.
    const recent = createdAt !== undefined && this.#now() - createdAt <= this.#recentMs;
    return recent ? { status: 'found', id: parent.id, createdAt } : { status: 'found', id: parent.id };
  }

  #wake(key: string, answer: ParentAnswer): void {
    const waiters = this.#waiting.get(key);
    if (waiters === undefined) return;
    this.#waiting.delete(key);
    this.#parked -= waiters.length;
    for (const settle of waiters) settle(answer);
    if (this.#parked < this.parkLimit && this.#roomWaiters.length > 0) {
      const resume = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const go of resume) go();
    }
  }

  #unresolved(key: string, end: StepEnd): ParentAnswer {
    if (end === 'stopped') return { status: 'stopped', reason: `step ${this.step} stopped before parent '${key}' was known: run the plan again` };
    const status = this.#notCreated.get(key);
    const why = status === undefined ? 'the step has finished without it' : `its record there was logged ${status}`;
    return { status: 'missing', reason: `parent '${key}' not found in step ${this.step} (${why})` };
  }
}
