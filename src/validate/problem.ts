/** What is wrong with a record: the request field at fault, as a path, and why, naming the value refused. */

export interface Problem {
  /** The request field, as a path: `assessment_dimension_list[1].score`. */
  field: string;
  reason: string;
}

/** A path made of keys and list indexes as the problems name it: `a.b[1].c`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (joined, key) => (typeof key === 'number' ? `${joined}[${key}]` : joined ? `${joined}.${String(key)}` : String(key)),
    '',
  );
}

/** A value as a message names it: text quoted, numbers bare, anything else as short JSON. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
