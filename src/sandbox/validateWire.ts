/**
 * Strict validation of an assessment body as it arrives on the wire. Deliberately independent of the client's zod
 * schema (src/map/assessment.ts) and stricter than any normalisation: a string "2" is not an integer here, so a client
 * that forgets to convert is caught by the sandbox instead of by production.
 */

/** Returns what is wrong with the value at `path`, or undefined when it is fine. */
type Check = (value: unknown, path: string) => string | undefined;

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

const string: Check = (value, path) =>
  typeof value === 'string' ? undefined : `${path} must be a string, got ${describe(value)}`;

const nonEmptyString: Check = (value, path) =>
  typeof value === 'string' && value.length > 0 ? undefined : `${path} must be a non-empty string, got ${describe(value)}`;

function integer(range?: { min: number; max: number }): Check {
  const wanted = range ? `an integer ${range.min}..${range.max}` : 'an integer';
  return (value, path) =>
    typeof value === 'number' && Number.isInteger(value) && (!range || (value >= range.min && value <= range.max))
      ? undefined
      : `${path} must be ${wanted}, got ${describe(value)}`;
}

function arrayOf(item: Check): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path} must be an array, got ${describe(value)}`;
    for (const [index, element] of value.entries()) {
      const problem = item(element, `${path}[${index}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

function objectOf(fields: Record<string, Check>, required: readonly string[] = []): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path || 'body'} must be a JSON object, got ${describe(value)}`;
    const unknown = Object.keys(value).find((key) => !Object.hasOwn(fields, key));
    if (unknown !== undefined) return `unknown field ${fieldPath(path, unknown)}`;
    const missing = required.find((key) => value[key] === undefined);
    if (missing !== undefined) return `${fieldPath(path, missing)} is required`;
    for (const [key, check] of Object.entries(fields)) {
      if (!Object.hasOwn(value, key)) continue;
      const problem = check(value[key], fieldPath(path, key));
      if (problem) return problem;
    }
    return undefined;
  };
}

const dimension = objectOf({
  assessment_type: integer({ min: 1, max: 4 }),
  title: string,
  description: string,
  score: integer(),
  option: string,
  content: string,
  options: arrayOf(string),
});

const assessmentFields = {
  external_id: string,
  username: string,
  conclusion: integer({ min: 1, max: 3 }),
  assessment_dimension_list: arrayOf(dimension),
  content: string,
  external_interview_id: nonEmptyString,
};

const createBody = objectOf(assessmentFields, ['external_interview_id']);
const patchBody = objectOf(assessmentFields);

export type WireOperation = 'create' | 'patch';

export type WireCheck = { ok: true; body: Record<string, unknown> } | { ok: false; problem: string };

/** Accepts a parsed request body, or names the first problem with it: which field and why. */
export function checkWireBody(body: unknown, operation: WireOperation): WireCheck {
  const problem = (operation === 'create' ? createBody : patchBody)(body, '');
  // No problem means objectOf accepted it: a plain JSON object with only documented keys.
  return problem === undefined ? { ok: true, body: body as Record<string, unknown> } : { ok: false, problem };
}
