/**
 * Exactly once, even after Feishu's 24 hours of idempotency: a create announced in the result log (an intent) whose
 * outcome never reached the log may have been made by the server. Before sending it again, the records of the
 * parent the intent names are read back and the lost one is looked for (`findLost`): by its external_id where the
 * answer carries one (the SDK's reading), else by content, since the docs' answers carry none. One found is logged
 * as created (`recovered`), not sent. Guarantees:
 * - only endpoints read back under a parent, with an external id of their own, are recoverable (see `recoverable`);
 *   the others write no intents and behave as before (talents are protected by their look-up before create);
 * - a record some log line already names (`claimed`), or that this run has recovered, is never taken again;
 * - several candidates for one record stop it with a reason, unless as many lost creates of the same content are
 *   pending under that parent: records of equal content are interchangeable, so each takes one;
 * - each parent is read once per run however many of its records were in flight;
 * - where the parent cannot be read (no read permission, a 404, a read that keeps failing), a record whose endpoint
 *   has an idempotency key is sent again while its intent is well inside the server's idempotency window
 *   (`resendWithinMs`): the server keeps it once. Only a record neither can protect fails (`failed`, code
 *   RECOVERY), saying what to do, instead of risking a second copy; an interrupted read leaves it pending.
 */
import { formatDuration } from '../duration.js';
import type { EndpointDescription } from '../endpoints/types.js';
import { bodyHash } from '../import/identity.js';
import type { Intent } from '../log/resultLog.js';
import type { Found } from '../send/matcher.js';
import { carriedFields, differences } from './compare.js';
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

/** Records of `endpoint` sent and never answered can be found again among their parent's. */
export function recoverable(endpoint: EndpointDescription): boolean {
  const key = endpoint.fields[endpoint.externalId];
  return Boolean(endpoint.parent && readerOf(endpoint) && key && !key.localOnly);
}

/**
 * The key of a body's content as an answer can show it: its hash without the external id and the fields the docs'
 * answer leaves out. Written with each intent, so the records of equal content lost together can be counted.
 */
export function contentKey(endpoint: EndpointDescription, body: Record<string, unknown>): string {
  const hidden = new Set([endpoint.externalId, ...(endpoint.docsAnswer?.omitted ?? [])]);
  return bodyHash(Object.fromEntries(Object.entries(body).filter(([name]) => !hidden.has(name))));
}

/** What became of a lost create, judged from its parent's records. */
export type Lost = { kind: 'found'; id: string } | { kind: 'none' } | { kind: 'several'; count: number };

/**
 * Pure: the record a lost create made, among `children` (its parent's records as read back): one carrying its
 * external_id; else, among those carrying none, one whose fields equal the body sent. `claimed`: ids a log line or
 * this run already gave to a record; `alike`: how many lost creates of this content under this parent are still
 * unsettled, this one included.
 */
export function findLost(endpoint: EndpointDescription, sent: { externalId: string; body: Record<string, unknown> }, children: readonly Item[], claimed: (id: string) => boolean, alike = 1): Lost {
  const key = endpoint.externalId;
  const open = children.filter((item): item is Item & { id: string } => typeof item.id === 'string' && !claimed(item.id));
  const byKey = open.find((item) => item[key] === sent.externalId);
  if (byKey) return { kind: 'found', id: byKey.id };
  const same = open.filter((item) => (item[key] === undefined || item[key] === null || item[key] === '') && differences(endpoint, sent.body, item, carriedFields(endpoint)).length === 0);
  if (same.length === 0) return { kind: 'none' };
  if (same.length > Math.max(alike, 1)) return { kind: 'several', count: same.length };
  return { kind: 'found', id: same[0]!.id };
}

export interface RecoveryOptions {
  /** The intents this run may settle (those of earlier runs, pending), by external_id. */
  pending: ReadonlyMap<string, Intent>;
  /** The Feishu ids the result log gives to records: read when the first intent is looked for. */
  claimed: () => Promise<ReadonlySet<string>>;
  /** Now, in epoch ms: says how old an intent is. */
  now: () => number;
}

export class Recovery {
  readonly #endpoint: EndpointDescription;
  readonly #readBack: ReadBack;
  readonly #options: RecoveryOptions;
  /** Each parent's records, read when the first of its intents is looked for. */
  readonly #children = new Map<string, Promise<Item[]>>();
  #claimed: Promise<ReadonlySet<string>> | undefined;
  /** Ids this run gave to recovered records. */
  readonly #taken = new Set<string>();
  /** Intents settled by this run, by `parent content`: how many of each are left to settle. */
  readonly #unsettled = new Map<string, number>();

  constructor(endpoint: EndpointDescription, readBack: ReadBack, options: RecoveryOptions) {
    this.#endpoint = endpoint;
    this.#readBack = readBack;
    this.#options = options;
    for (const intent of options.pending.values()) {
      if (intent.content === undefined) continue;
      const group = `${intent.parent} ${intent.content}`;
      this.#unsettled.set(group, (this.#unsettled.get(group) ?? 0) + 1);
    }
  }

  /** The record an earlier run's intent announced, if the server holds it; `body`: the record as it is sent now. */
  async find(intent: Intent, body: Record<string, unknown>): Promise<Found> {
    if (!recoverable(this.#endpoint)) return this.#cannotCheck(intent, `Feishu's read-back of ${this.#endpoint.title}s cannot find them again`);
    if (intent.parent === undefined) return this.#cannotCheck(intent, 'its intent names no parent to look under');
    let children = this.#children.get(intent.parent);
    if (!children) this.#children.set(intent.parent, (children = this.#readBack.children(this.#endpoint, intent.parent)));
    try {
      const [items, claimed] = await Promise.all([children, (this.#claimed ??= this.#options.claimed())]);
      const group = `${intent.parent} ${intent.content ?? contentKey(this.#endpoint, body)}`;
      const alike = this.#unsettled.get(group) ?? 1;
      const lost = findLost(this.#endpoint, { externalId: intent.external_id, body }, items, (id) => claimed.has(id) || this.#taken.has(id), alike);
      if (this.#unsettled.has(group)) this.#unsettled.set(group, alike - 1);
      if (lost.kind === 'several') return severalFound(lost.count);
      if (lost.kind === 'none') return lost;
      this.#taken.add(lost.id);
      return lost;
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      return error.interrupted ? { kind: 'pending' } : this.#cannotCheck(intent, error.message);
    }
  }

  /** Read-back cannot answer: send again where the server's idempotency still covers the intent, else refuse. */
  #cannotCheck(intent: Intent, why: string): Found {
    const sentAt = intent.at === undefined ? NaN : Date.parse(intent.at);
    const age = this.#options.now() - sentAt;
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

function severalFound(count: number): Found {
  return {
    kind: 'failed',
    code: 'RECOVERY',
    msg: `an earlier run sent it and stopped before its answer was logged, and its parent holds ${count} records with its content that no log line names; Feishu's answer carries no external_id to tell which one it made, so it is not sent again: check Feishu, keep one, then run again`,
  };
}
