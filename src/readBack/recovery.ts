/**
 * Exactly once, even after Feishu's 24 hours of idempotency: a create announced in the result log (an intent) whose
 * outcome never reached the log may have been made by the server. Before sending it again, the records of the
 * parent the intent names are read back and searched for its external_id: one found is logged as created
 * (`recovered`), not sent. Guarantees:
 * - only endpoints whose read-back answers the external_id under a parent are recoverable (see `recoverable`); those
 *   with an idempotency key write intents too, and rely on it alone; the others (talents, protected by their look-up
 *   before create) write none;
 * - each parent is read once per run however many of its records were in flight;
 * - where the parent cannot be read (no read permission, a 404, a read that keeps failing), a record whose endpoint
 *   has an idempotency key is sent again while its intent is well inside the server's idempotency window
 *   (`resendWithinMs`): the server keeps it once. Only a record neither can protect fails (`failed`, code
 *   RECOVERY), saying what to do, instead of risking a second copy; an interrupted read leaves it pending.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import type { Intent } from '../log/resultLog.js';
import type { Found } from '../send/matcher.js';
import { formatDuration } from '../duration.js';
import { ReadFailure, readerOf, type Item, type ReadBack } from './readBack.js';

/** Feishu makes a create with a given external_id once within this long (its docs: 24 hours). */
export const idempotencyWindowMs = 24 * 60 * 60_000;
/** Room for the clocks of this machine and Feishu's to differ, and for a rerun to reach the record. */
const idempotencyMarginMs = 60 * 60_000;
/** An intent younger than this is sent again when it cannot be read back. */
export const resendWithinMs = idempotencyWindowMs - idempotencyMarginMs;

/** The endpoint's creates carry an idempotency key: its external_id is sent, and the server keeps one per key. */
export function idempotent(endpoint: EndpointDescription): boolean {
  const key = endpoint.fields[endpoint.externalId];
  return Boolean(key && !key.localOnly);
}

/** Records of `endpoint` sent and never answered can be found again: by their external_id, among their parent's. */
export function recoverable(endpoint: EndpointDescription): boolean {
  const key = endpoint.fields[endpoint.externalId];
  return Boolean(endpoint.parent && readerOf(endpoint) && key && !key.localOnly && !endpoint.notReturned?.includes(endpoint.externalId));
}

export class Recovery {
  readonly #endpoint: EndpointDescription;
  readonly #readBack: ReadBack;
  /** Each parent's records, read when the first of its intents is looked for. */
  readonly #children = new Map<string, Promise<Item[]>>();

  readonly #now: () => number;

  /** `now` (epoch ms) says how old an intent is. */
  constructor(endpoint: EndpointDescription, readBack: ReadBack, now: () => number) {
    this.#endpoint = endpoint;
    this.#readBack = readBack;
    this.#now = now;
  }

  /** The record an earlier run's intent announced, if the server holds it; `none` also when it is safe to send again. */
  async find(intent: Intent): Promise<Found> {
    const key = this.#endpoint.externalId;
    if (!recoverable(this.#endpoint)) return this.#cannotCheck(intent, `Feishu's read-back of ${this.#endpoint.title}s does not answer their external_id`);
    if (intent.parent === undefined) return this.#cannotCheck(intent, 'its intent names no parent to look under');
    let children = this.#children.get(intent.parent);
    if (!children) this.#children.set(intent.parent, (children = this.#readBack.children(this.#endpoint, intent.parent)));
    try {
      const match = (await children).find((item) => item[key] === intent.external_id && typeof item.id === 'string');
      return match ? { kind: 'found', id: match.id as string } : { kind: 'none' };
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      return error.interrupted ? { kind: 'pending' } : this.#cannotCheck(intent, error.message);
    }
  }

  /** Read-back cannot answer: send again where the server's idempotency still covers the intent, else refuse. */
  #cannotCheck(intent: Intent, why: string): Found {
    const sentAt = intent.at === undefined ? NaN : Date.parse(intent.at);
    const age = this.#now() - sentAt;
    if (idempotent(this.#endpoint) && age >= 0 && age < resendWithinMs) return { kind: 'none' };
    const since = Number.isNaN(sentAt) ? 'when is not logged' : `${formatDuration(Math.max(0, age))} ago`;
    return {
      kind: 'failed',
      code: 'RECOVERY',
      msg:
        `an earlier run sent it (${since}) and stopped before its answer was logged; whether Feishu made it cannot be checked (${why}), ` +
        `and Feishu's idempotency covers a resend for ${formatDuration(resendWithinMs)} only, so it is not sent again, so as not to make a second copy. ` +
        `Look for it in Feishu Hire: if it is not there, delete its line with "status":"sending" from the result log and run again; ` +
        'if it is, leave the log as it is: the record is imported, and this refusal keeps it from being made twice',
    };
  }
}
