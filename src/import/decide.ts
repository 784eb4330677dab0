/**
 * The decide step for one valid record: what, if anything, to send. Pure: it looks at the record and at what the
 * result log says exists, and acts on nothing.
 */
import { bodyHash } from './identity.js';
import type { KnownIds } from './knownIds.js';

export type Decision =
  | { action: 'create' }
  | { action: 'update'; id: string }
  /** Created by an earlier run (and, with updateChanged, unchanged since): nothing to send. */
  | { action: 'skip' };

export function decide(externalId: string, body: unknown, known: KnownIds, updateChanged: boolean): Decision {
  if (!known.has(externalId)) return { action: 'create' };
  if (!updateChanged) return { action: 'skip' };
  // Hashing costs a few microseconds a record, so only a record that might be updated pays it.
  const existing = known.created(externalId)!;
  return existing.hash === bodyHash(body) ? { action: 'skip' } : { action: 'update', id: existing.id };
}
