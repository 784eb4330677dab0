/**
 * The sandbox's own paths under /sandbox/, for tests and for watching a rehearsal: its counters, the records it
 * holds, and tampering with them behind the client's back (for verify tests). Not API requests: never counted,
 * rate limited or faulted.
 */
import type { FeishuEmulator } from './emulator.js';
import { isPlainObject } from './validateWire.js';

export const introspectionPrefix = '/sandbox/';

export interface Reply {
  status: number;
  body: unknown;
}

/** POST /sandbox/tamper takes `{ resource, id, remove: true }` or `{ resource, id, set: { field: value } }`. */
function tamper(emulator: FeishuEmulator, body: string, now: number): Reply {
  let asked: unknown;
  try {
    asked = JSON.parse(body);
  } catch {
    asked = undefined;
  }
  if (!isPlainObject(asked) || typeof asked.resource !== 'string' || typeof asked.id !== 'string' || (asked.remove !== true) === !isPlainObject(asked.set)) {
    return { status: 400, body: { error: 'expected { resource, id, remove: true } or { resource, id, set: { field: value } }' } };
  }
  if (emulator.records(asked.resource) === undefined) return { status: 404, body: { error: `no resource named ${asked.resource}` } };
  const done = asked.remove === true
    ? emulator.removeRecord(asked.resource, asked.id, now)
    : emulator.changeRecord(asked.resource, asked.id, asked.set as Record<string, unknown>, now);
  if (!done) return { status: 404, body: { error: `no ${asked.resource} record with id ${asked.id}` } };
  return { status: 200, body: done === true ? { removed: asked.id } : done };
}

/**
 * GET /sandbox/stats, GET /sandbox/records/RESOURCE (and the older GET /sandbox/RESOURCE), POST /sandbox/tamper;
 * undefined for any other path under /sandbox/.
 */
export function introspect(emulator: FeishuEmulator, method: string, path: string, body: string, now: number): Reply | undefined {
  const rest = path.slice(introspectionPrefix.length);
  if (method === 'GET' && rest === 'stats') return { status: 200, body: emulator.stats() };
  if (method === 'POST' && rest === 'tamper') return tamper(emulator, body, now);
  if (method !== 'GET') return undefined;
  const records = emulator.records(rest.startsWith('records/') ? rest.slice('records/'.length) : rest);
  return records === undefined ? undefined : { status: 200, body: records };
}
