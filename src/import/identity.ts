/**
 * Identity and change detection for records: a stable external_id for records that have none, and a hash of the
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
 * The body with an external_id: its own, or one derived from its content, so a rerun of the same record finds the
 * same id in the log and on the server instead of creating it again.
 */
export function withExternalId<Body extends { external_id?: string; [field: string]: unknown }>(body: Body): Body & { external_id: string } {
  if (body.external_id) return body as Body & { external_id: string };
  return { ...body, external_id: `hi-${bodyHash(body)}` };
}
