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
 * A fingerprint of a record's input as it was read: its row's text, or a long file's rows in order. Two rows with
 * every cell equal have the same one (an exact duplicate); a rerun knows by it that a refused record is unchanged.
 */
export function inputHash(rows: { raw: string } | ReadonlyArray<{ raw: string }>): string {
  const hash = createHash('sha256');
  if (Array.isArray(rows)) for (const row of rows as ReadonlyArray<{ raw: string }>) hash.update(row.raw).update('\n');
  else hash.update((rows as { raw: string }).raw);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The fingerprint of an invalid or blocked line (its `refusal`): the record's input and everything the line says
 * about it, so that equal fingerprints mean a rerun would append the very same line again.
 */
export function refusalHash(line: { status: string; file: string; line: number; msg: string }, rows: { raw: string } | ReadonlyArray<{ raw: string }>): string {
  return bodyHash([line.status, line.file, line.line, line.msg, inputHash(rows)]);
}

/**
 * The log key of a record that has none of its own, derived from its content (`hi-…`), so a rerun of the same record
 * finds the same key in the log and on the server instead of creating it again.
 */
export function derivedExternalId(body: unknown): string {
  return `hi-${bodyHash(body)}`;
}
