/**
 * Compares the body a record was (or would be) sent as with the record read back from Feishu, field by field, as
 * the endpoint description has them. Pure. The rules, the same for every field of every endpoint:
 * - only fields the description has are compared (the server's own, like `id`, are not), and not those it keeps
 *   local (never sent), lists in `notReturned` (`list[].field` for a field of every element) or says the docs'
 *   answer omits (`docsAnswer.omitted`: external_id), so a record compares the same under either reading;
 * - a list of ids the docs answer as objects (attachment_id_list as attachment_list[{id}]) is read from either
 *   shape, its ids compared in any order;
 * - a field left out, null, '' and [] all mean "no value", so leaving a field out matches the server's empty value;
 * - numbers and texts compare by their text (an int64 may come back as a string of digits);
 * - lists of objects compare element by element in order; a list that may also hold another resource's records
 *   (an interview's assessments created on their own: `carried`), which no field tells apart under the docs'
 *   reading, only needs each element sent to be there: the others are that resource's, which its own check compares.
 */
import { carriedInside, endpoints } from '../endpoints/registry.js';
import type { AnswerShape, EndpointDescription, Fields } from '../endpoints/types.js';

export interface Difference {
  /** The field's path: `conclusion`, `assessment_dimension_list[1].score`. */
  field: string;
  /** The export's value and the server's, undefined where there is none. */
  export: unknown;
  server: unknown;
}

/**
 * The differences between what was sent and what the server holds; `carried`: the list fields that may also hold
 * another resource's records.
 */
export function differences(endpoint: EndpointDescription, sent: Record<string, unknown>, server: Record<string, unknown>, carried: readonly string[] = []): Difference[] {
  const rules: Rules = {
    skipped: new Set([...(endpoint.notReturned ?? []), ...(endpoint.docsAnswer?.omitted ?? [])]),
    idObjects: endpoint.docsAnswer?.idObjects ?? {},
    carried,
  };
  const found: Difference[] = [];
  compareFields(rules, endpoint.fields, sent, server, '', '', found);
  return found;
}

/** The list fields of `endpoint` that may also hold other resources' records (an interview's assessments). */
export function carriedFields(endpoint: EndpointDescription): string[] {
  return carriedInside(endpoints, endpoint.resource).map(({ field }) => field);
}

interface Rules {
  skipped: ReadonlySet<string>;
  idObjects: NonNullable<AnswerShape['idObjects']>;
  carried: readonly string[];
}

function compareFields(rules: Rules, fields: Fields, ours: Record<string, unknown>, theirs: Record<string, unknown>, path: string, pattern: string, found: Difference[]): void {
  for (const [name, field] of Object.entries(fields)) {
    const at = `${path}${name}`;
    const described = `${pattern}${name}`;
    if (field.localOnly || rules.skipped.has(described)) continue;
    const ourValue = ours[name];
    const theirValue = theirs[name];
    const { type } = field;
    const asObjects = path === '' ? rules.idObjects[name] : undefined;
    if (asObjects) {
      const answered = theirs[asObjects.field];
      const theirIds = !hasValue(theirValue) && Array.isArray(answered) ? answered.map((element) => objectOr(element)[asObjects.idKey]) : theirValue;
      if (!sameValue(sortedTexts(ourValue), sortedTexts(theirIds))) found.push({ field: at, export: ourValue, server: theirIds });
      continue;
    }
    if (type.kind === 'object' && isObject(ourValue ?? {}) && isObject(theirValue ?? {})) {
      compareFields(rules, type.fields, objectOr(ourValue), objectOr(theirValue), `${at}.`, `${described}.`, found);
      continue;
    }
    let [mine, yours]: unknown[] = [ourValue ?? [], theirValue ?? []];
    if (type.kind === 'list' && path === '' && rules.carried.includes(name) && Array.isArray(mine) && Array.isArray(yours)) {
      // What is left of the server's list once every element sent is found in it belongs to the other resource.
      const left = unmatched(rules, type.of, mine, yours, `${described}[].`);
      if (left.mine.length === 0) continue;
      [mine, yours] = [left.mine, left.yours.slice(0, left.mine.length)];
    }
    if (type.kind === 'list' && Array.isArray(mine) && Array.isArray(yours) && mine.length === yours.length && [...mine, ...yours].every(isObject)) {
      const theirElements = yours;
      mine.forEach((element, index) => compareFields(rules, type.of, element, theirElements[index], `${at}[${index}].`, `${described}[].`, found));
      continue;
    }
    if (!sameValue(ourValue, theirValue)) found.push({ field: at, export: ourValue, server: theirValue });
  }
}

/** The elements sent that no element of the server's list equals, and the server's elements left over, in order. */
function unmatched(rules: Rules, of: Fields, mine: readonly unknown[], yours: readonly unknown[], pattern: string): { mine: unknown[]; yours: unknown[] } {
  const left = [...yours];
  const missing: unknown[] = [];
  const equal = (element: unknown, candidate: unknown) => {
    if (!isObject(element) || !isObject(candidate)) return false;
    const found: Difference[] = [];
    compareFields(rules, of, element, candidate, '', pattern, found);
    return found.length === 0;
  };
  for (const element of mine) {
    const at = left.findIndex((candidate) => equal(element, candidate));
    if (at >= 0) left.splice(at, 1);
    else missing.push(element);
  }
  return { mine: missing, yours: left };
}

/** A list of ids as sorted texts, for comparing in any order; anything else as it is. */
function sortedTexts(value: unknown): unknown {
  return Array.isArray(value) ? value.map(String).sort() : value;
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
