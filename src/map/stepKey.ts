/**
 * What a `{ step: NAME }` lookup leaves in a mapped record: the legacy key, for the plan to translate into the Feishu
 * id once that step has logged it (src/plan/parentIds.ts). Mapping stays synchronous and names no API field: the
 * key sits wherever the mapping put it, and is found there by walking the record.
 */

/** A key of a `{ step }` lookup, waiting for the id the step gives it. */
export class StepKey {
  constructor(
    /** The lookup's name in the mapping (`lookups: { applications: { step: applications } }`). */
    readonly lookup: string,
    readonly key: string,
  ) {}
}

/** Where a StepKey was in a record: the path to it (fields and list indexes), its lookup and its key. */
export interface StepKeyAt {
  path: ReadonlyArray<string | number>;
  lookup: string;
  key: string;
}

/**
 * Finds every StepKey in a mapped record and puts its key text in its place, so the record validates as it will be
 * sent (an id is text where a key is); `withStepIds` later puts the ids at the same paths of the validated body.
 */
export function takeStepKeys(record: Record<string, unknown>): StepKeyAt[] {
  const found: StepKeyAt[] = [];
  const visit = (container: Record<string | number, unknown>, path: Array<string | number>) => {
    for (const [name, value] of Object.entries(container)) {
      const at = [...path, Array.isArray(container) ? Number(name) : name];
      if (value instanceof StepKey) {
        found.push({ path: at, lookup: value.lookup, key: value.key });
        container[name] = value.key;
      } else if (typeof value === 'object' && value !== null) {
        visit(value as Record<string, unknown>, at);
      }
    }
  };
  visit(record, []);
  return found;
}

/** A copy of `body` with `ids[i]` at `keys[i].path`; the objects and lists on the way are copied, the rest shared. */
export function withStepIds(body: Record<string, unknown>, keys: readonly StepKeyAt[], ids: readonly string[]): Record<string, unknown> {
  const copy = { ...body };
  keys.forEach(({ path }, index) => {
    let target: Record<string | number, unknown> = copy;
    for (const step of path.slice(0, -1)) {
      const inner = target[step];
      target = target[step] = (Array.isArray(inner) ? [...inner] : { ...(inner as object) }) as Record<string | number, unknown>;
    }
    target[path[path.length - 1]!] = ids[index];
  });
  return copy;
}
