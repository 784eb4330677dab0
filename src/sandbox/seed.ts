/**
 * Talents a sandbox starts with ("already in Feishu"), given by a few plain keys. Each key lands in the one field of
 * the talents description whose dotted path ends in that name (name -> basic_info.name), so no field is named here.
 */
import type { Fields } from '../endpoints/types.js';
import { isPlainObject, type JsonObject } from './validateWire.js';

export interface SeedTalent {
  name: string;
  email?: string;
  /** Digits only, as Feishu stores it. */
  mobile?: string;
  /** The location code (CN_1, US_1, HK_1) whose region's dialling code the mobile is under; 86 when left out. */
  mobile_country_code?: string;
}

/** The dotted paths of the plain fields, nested objects included, lists not. */
function leafPaths(fields: Fields, prefix = ''): string[] {
  return Object.entries(fields).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return field.type.kind === 'object' ? leafPaths(field.type.fields, path) : [path];
  });
}

export function seedBody(fields: Fields, given: Record<string, string | undefined>): JsonObject {
  const paths = leafPaths(fields);
  const body: JsonObject = {};
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const found = paths.filter((path) => path === key || path.endsWith(`.${key}`));
    if (found.length !== 1) throw new Error(`a seeded record's "${key}" names ${found.length === 0 ? 'no' : 'more than one'} field`);
    const steps = found[0]!.split('.');
    let target = body;
    for (const step of steps.slice(0, -1)) {
      if (!isPlainObject(target[step])) target[step] = {};
      target = target[step] as JsonObject;
    }
    target[steps.at(-1)!] = value;
  }
  return body;
}
