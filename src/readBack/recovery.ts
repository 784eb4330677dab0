/**
 * Exactly once, even after Feishu's 24 hours of idempotency: a create announced in the result log (an intent) whose
 * outcome never reached the log may have been made by the server. Before sending it again, the records of the
 * parent the intent names are read back and searched for its external_id: one found is logged as created
 * (`recovered`), not sent. Guarantees:
 * - only endpoints whose read-back answers the external_id under a parent are recoverable (see `recoverable`); the
 *   others keep writing no intents and behave as before (talents are protected by their look-up before create);
 * - each parent is read once per run however many of its records were in flight;
 * - a parent that cannot be read fails its records (`failed`, code RECOVERY) instead of risking a second copy; an
 *   interrupted read leaves them pending.
 */
import type { EndpointDescription } from '../endpoints/types.js';
import type { Intent } from '../log/resultLog.js';
import type { Found } from '../send/matcher.js';
import { ReadFailure, readerOf, type Item, type ReadBack } from './readBack.js';

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

  constructor(endpoint: EndpointDescription, readBack: ReadBack) {
    this.#endpoint = endpoint;
    this.#readBack = readBack;
  }

  /** The record an earlier run's intent announced, if the server holds it. */
  async find(intent: Intent): Promise<Found> {
    const key = this.#endpoint.externalId;
    if (intent.parent === undefined) return cannotCheck('its intent names no parent to look under');
    let children = this.#children.get(intent.parent);
    if (!children) this.#children.set(intent.parent, (children = this.#readBack.children(this.#endpoint, intent.parent)));
    try {
      const match = (await children).find((item) => item[key] === intent.external_id && typeof item.id === 'string');
      return match ? { kind: 'found', id: match.id as string } : { kind: 'none' };
    } catch (error) {
      if (!(error instanceof ReadFailure)) throw error;
      return error.interrupted ? { kind: 'pending' } : cannotCheck(error.message);
    }
  }
}

function cannotCheck(why: string): Found {
  return {
    kind: 'failed',
    code: 'RECOVERY',
    msg: `an earlier run sent it and stopped before its answer was logged, and whether Feishu made it cannot be checked (${why}); not sent again, so as not to make a second copy: check Feishu, then run again`,
  };
}
