/**
 * Strict validation of a request body as it arrives on the wire, against an endpoint description's fields.
 * Deliberately independent of the client's validation and stricter than any normalisation: a string "2" is not an
 * integer, an unknown or local-only field is refused, a ms field is an integer and an msString a string of digits, so
 * a client that forgets to convert is caught by the sandbox instead of by production.
 */
import type { Field, FieldType, Fields } from '../endpoints/types.js';

export type JsonObject = Record<string, unknown>;

export type WireCheck = { ok: true; body: JsonObject } | { ok: false; problem: string };

/** `whole`: every required field must be there (create, PUT); `partial`: only what is given is checked (PATCH). */
export type Completeness = 'whole' | 'partial';

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Accepts a parsed request body, or names the first problem with it: which field and why. */
export function checkWireBody(body: unknown, fields: Fields, completeness: Completeness): WireCheck {
  const problem = checkObject(body, fields, '', completeness === 'whole');
  // No problem means checkObject accepted it: a plain JSON object with only described keys.
  return problem === undefined ? { ok: true, body: body as JsonObject } : { ok: false, problem };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function fieldPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Returns what is wrong with the object at `path`, or undefined when it is fine. */
function checkObject(value: unknown, fields: Fields, path: string, requireAll: boolean): string | undefined {
  if (!isPlainObject(value)) return `${path || 'body'} must be a JSON object, got ${describe(value)}`;
  // Local-only fields key our own log; sending one is a client bug, so they count as unknown here.
  const unknown = Object.keys(value).find((key) => !Object.hasOwn(fields, key) || fields[key]!.localOnly);
  if (unknown !== undefined) return `unknown field ${fieldPath(path, unknown)}`;
  if (requireAll) {
    const missing = Object.keys(fields).find((key) => fields[key]!.required && !fields[key]!.localOnly && value[key] === undefined);
    if (missing !== undefined) return `${fieldPath(path, missing)} is required`;
  }
  for (const [key, given] of Object.entries(value)) {
    const problem = checkField(given, fields[key]!, fieldPath(path, key));
    if (problem) return problem;
  }
  return undefined;
}

function checkField(value: unknown, field: Field, path: string): string | undefined {
  if (field.type.kind === 'string' && field.required) {
    // A required reference that is empty names nothing.
    return typeof value === 'string' && value.length > 0 ? undefined : `${path} must be a non-empty string, got ${describe(value)}`;
  }
  return checkType(value, field.type, path);
}

function checkType(value: unknown, type: FieldType, path: string): string | undefined {
  switch (type.kind) {
    case 'string':
      return typeof value === 'string' ? undefined : `${path} must be a string, got ${describe(value)}`;
    case 'int': {
      const allowed = integerRange(type);
      const fits =
        typeof value === 'number' &&
        Number.isInteger(value) &&
        (type.labels === undefined || Object.hasOwn(type.labels, value)) &&
        (type.min === undefined || value >= type.min) &&
        (type.max === undefined || value <= type.max);
      return fits ? undefined : `${path} must be ${allowed}, got ${describe(value)}`;
    }
    case 'ms':
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? undefined
        : `${path} must be an integer of epoch milliseconds, got ${describe(value)}`;
    case 'msString':
      return typeof value === 'string' && /^\d+$/.test(value)
        ? undefined
        : `${path} must be a string of digits (epoch milliseconds), got ${describe(value)}`;
    case 'strings':
      return checkArray(value, path, type.maxItems, (element, elementPath) =>
        typeof element === 'string' ? undefined : `${elementPath} must be a string, got ${describe(element)}`,
      );
    case 'phone':
      // What the tool sends: the national number's digits (its dialling code goes with the look-up).
      return typeof value === 'string' && /^\d+$/.test(value) ? undefined : `${path} must be a string of digits (a national number), got ${describe(value)}`;
    case 'object':
      return checkObject(value, type.fields, path, true);
    case 'list':
      return checkArray(value, path, undefined, (element, elementPath) => checkObject(element, type.of, elementPath, true));
  }
}

function checkArray(
  value: unknown,
  path: string,
  maxItems: number | undefined,
  checkElement: (element: unknown, path: string) => string | undefined,
): string | undefined {
  if (!Array.isArray(value)) return `${path} must be an array, got ${describe(value)}`;
  if (maxItems !== undefined && value.length > maxItems) return `${path} must have at most ${maxItems} items, got ${value.length}`;
  for (const [index, element] of value.entries()) {
    const problem = checkElement(element, `${path}[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** "an integer 1..3" for an enum of consecutive values, "one of 1, 2, 4" otherwise, bounds when given. */
function integerRange(type: Extract<FieldType, { kind: 'int' }>): string {
  if (type.labels) {
    const values = Object.keys(type.labels).map(Number).sort((a, b) => a - b);
    const consecutive = values.every((value, index) => value === values[0]! + index);
    return consecutive ? `an integer ${values[0]}..${values.at(-1)}` : `one of ${values.join(', ')}`;
  }
  if (type.min !== undefined && type.max !== undefined) return `an integer ${type.min}..${type.max}`;
  if (type.min !== undefined) return `an integer of at least ${type.min}`;
  if (type.max !== undefined) return `an integer of at most ${type.max}`;
  return 'an integer';
}
