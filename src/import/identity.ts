/**
 * Identity and change detection for records: a stable key for records that have none of their own, and a hash of the
 * body sent, kept in the log so that `--update-changed` can tell a changed record from an unchanged one.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal bodies hash equally whatever order their fields were mapped in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex').slice(0, 16);
}

/**
 * The log key of a record that has none of its own, derived from its content (`hi-…`), so a rerun of the same record
 * finds the same key in the log and on the server instead of creating it again.
 */
export function derivedExternalId(body: unknown): string {
  return `hi-${bodyHash(body)}`;
}
