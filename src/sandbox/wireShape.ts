/** Reading and placing values at the dotted paths the descriptions use (data.external_application.id, basic_info.email). */
import { isPlainObject, type JsonObject } from './validateWire.js';

export function valueAt(data: unknown, path: string): unknown {
  let value = data;
  for (const step of path.split('.')) {
    if (!isPlainObject(value) || !Object.hasOwn(value, step)) return undefined;
    value = value[step];
  }
  return value;
}

/** `nestAt('data.talent_id', v)` is `{ data: { talent_id: v } }`. */
export function nestAt(path: string, value: unknown): JsonObject {
  return path
    .split('.')
    .reduceRight<unknown>((inner, step) => ({ [step]: inner }), value) as JsonObject;
}

/**
 * A create or update answer for a record, shaped by where the description says the id sits: the object that holds
 * the id is the record, echoed with its fields (data.external_application.id); an id directly under data
 * (data.talent_id) is answered alone.
 */
export function recordAnswer(idAt: string, id: string, body: JsonObject): JsonObject {
  const steps = idAt.split('.');
  const idKey = steps.pop()!;
  const echoed = steps.length > 1 ? { [idKey]: id, ...body } : { [idKey]: id };
  return { code: 0, msg: 'success', ...nestAt(steps.join('.'), echoed) };
}
