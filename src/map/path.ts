/** Reading a column or a dotted path (interviewer.name, answers.0.text) out of a record, compiled once per path. */

export type PathReader = (data: unknown) => unknown;

export function compilePath(path: string): PathReader {
  if (!path.includes('.')) return (data) => own(data, path);
  const steps = path.split('.');
  return (data) => {
    // A CSV column may itself contain dots ("Q1. Score"): the whole name wins over the nested reading.
    const whole = own(data, path);
    if (whole !== undefined) return whole;
    let value = data;
    for (const step of steps) {
      value = own(value, step);
      if (value === undefined) return undefined;
    }
    return value;
  };
}

/** A property of a record; inherited members (`constructor`, `toString`) are functions, never record values. */
function own(data: unknown, key: string): unknown {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'function' ? undefined : value;
}

/** A value as a key is matched: text, trimmed (JSON tables and records may hold numbers). */
export function keyText(value: unknown): string {
  return value === undefined || value === null ? '' : String(value).trim();
}

export type PathWriter = (data: Record<string, unknown>, value: unknown) => void;

/** Setting a dotted path (basic_info.name) in a body being built, creating the objects on the way. */
export function compileSetter(path: string): PathWriter {
  if (!path.includes('.')) return (data, value) => void (data[path] = value);
  const steps = path.split('.');
  const last = steps.pop()!;
  return (data, value) => {
    let target = data;
    for (const step of steps) {
      const next = target[step];
      target = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : (target[step] = {});
    }
    target[last] = value;
  };
}
