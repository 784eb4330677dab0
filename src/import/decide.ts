/**
 * The decide step for one valid record: what, if anything, to send. Pure: it looks at the record and at what the
 * result log says exists, and acts on nothing.
 */
import type { Created } from '../log/resultLog.js';
import { bodyHash } from './identity.js';

export type Decision =
  | { action: 'create' }
  | { action: 'update'; id: string }
  /** Created by an earlier run (and, with updateChanged, unchanged since): nothing to send. */
  | { action: 'skip' };

export function decide(externalId: string, body: unknown, created: Created, updateChanged: boolean): Decision {
  const existing = created.get(externalId);
  if (!existing) return { action: 'create' };
  // Hashing costs a few microseconds a record, so only a record that might be updated pays it.
  if (updateChanged && existing.hash !== bodyHash(body)) return { action: 'update', id: existing.id };
  return { action: 'skip' };
}
