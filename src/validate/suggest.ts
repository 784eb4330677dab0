/** "Did you mean": the nearest of the names a place accepts, for a name it does not know. */
import { closest, distance } from 'fastest-levenshtein';

/** The closest candidate when it is near enough to be a typo (or differs only in case), else undefined. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const lower = name.toLowerCase();
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const best = closest(name, candidates as string[]);
  const allowed = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return distance(lower, best.toLowerCase()) <= allowed ? best : undefined;
}

/**
 * ` (did you mean 'x'?)` or, when no name is near and the list is short, the list: ` (fields: a, b, c)`; else ''.
 * `noun` names the list.
 */
export function suggestion(name: string, candidates: readonly string[], noun: string): string {
  const near = nearest(name, candidates);
  if (near !== undefined) return ` (did you mean '${near}'?)`;
  return candidates.length > 0 && candidates.length <= shortList ? ` (${noun}: ${candidates.join(', ')})` : '';
}

/** Lists up to this long are worth printing whole. */
const shortList = 12;
