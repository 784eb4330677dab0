/**
 * Compares the body a record was (or would be) sent as with the record read back from Feishu, field by field, as
 * the endpoint description has them. Pure. The rules, the same for every field of every endpoint:
 * - only fields the description has are compared (the server's own, like `id` or `attachment_list`, are not), and
 *   not those it keeps local (never sent) or lists in `notReturned` (`list[].field` for a field of every element);
 * - a field left out, null, '' and [] all mean "no value", so leaving a field out matches the server's empty value;
 * - numbers and texts compare by their text (an int64 may come back as a string of digits);
 * - lists of objects compare element by element in order, after leaving out the elements that are another
 *   resource's records carried inside this one (an interview's assessments created on their own: `carried`), which
 *   that resource's own check compares.
 */
import type { EndpointDescription, Fields } from '../endpoints/types.js';

export interface Difference {
  /** The field's path: `conclusion`, `assessment_dimension_list[1].score`. */
  field: string;
  /** The export's value and the server's, undefined where there is none. */
  export: unknown;
  server: unknown;
}

/** A list field that also holds another resource's records, told apart by that resource's external id field. */
export interface CarriedList {
  field: string;
  childKey: string;
}

export function differences(endpoint: EndpointDescription, sent: Record<string, unknown>, server: Record<string, unknown>, carried: readonly CarriedList[] = []): Difference[] {
  const skipped = new Set(endpoint.notReturned ?? []);
  const found: Difference[] = [];
  const compareFields = (fields: Fields, ours: Record<string, unknown>, theirs: Record<string, unknown>, path: string, pattern: string) => {
    for (const [name, field] of Object.entries(fields)) {
      const at = `${path}${name}`;
      const described = `${pattern}${name}`;
      if (field.localOnly || skipped.has(described)) continue;
      const ourValue = ours[name];
      let theirValue = theirs[name];
      const carrier = path === '' ? carried.find((list) => list.field === name) : undefined;
      if (carrier && Array.isArray(theirValue)) theirValue = theirValue.filter((element) => !hasValue(objectOr(element)[carrier.childKey]));
      const { type } = field;
      if (type.kind === 'object' && isObject(ourValue ?? {}) && isObject(theirValue ?? {})) {
        compareFields(type.fields, objectOr(ourValue), objectOr(theirValue), `${at}.`, `${described}.`);
        continue;
      }
      const [mine, yours] = [ourValue ?? [], theirValue ?? []];
      if (type.kind === 'list' && Array.isArray(mine) && Array.isArray(yours) && mine.length === yours.length && [...mine, ...yours].every(isObject)) {
        mine.forEach((element, index) => compareFields(type.of, element, yours[index], `${at}[${index}].`, `${described}[].`));
        continue;
      }
      if (!sameValue(ourValue, theirValue)) found.push({ field: at, export: ourValue, server: theirValue });
    }
  };
  compareFields(endpoint.fields, sent, server, '', '');
  return found;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (!hasValue(a) || !hasValue(b)) return !hasValue(a) && !hasValue(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((element, index) => sameValue(element, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) => sameValue(a[key], b[key]));
  }
  const scalar = (value: unknown) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  return scalar(a) && scalar(b) && String(a) === String(b);
}

function hasValue(value: unknown): boolean {
  return !(value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectOr(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}
