/**
 * Reading an `int` field: an integer, a string of digits, or one of the enum's labels (trimmed, any case); never one
 * beyond 2^53, which no JSON number carries exactly (the lossless JSONL reader hands such a number over as its
 * digits). Built once per field; a read is a type check and at most one Map lookup.
 */
import type { EnumLabels, FieldType } from '../endpoints/types.js';
import { shown } from './problem.js';

export type IntType = Extract<FieldType, { kind: 'int' }>;

export interface IntReader {
  /** The API integer for a value, or undefined when the value is none (not an integer, not a label, not allowed). */
  read(value: unknown): number | undefined;
  /** Why read refused a value, naming it: `'passed' is not one of 1 不通过 fail, 2 通过 pass, 3 待定 pending`. */
  refusal(value: unknown): string;
}

const digits = /^\s*-?\d+\s*$/;

export function intReader(type: IntType): IntReader {
  const { labels, min, max } = type;
  const byLabel = new Map<string, number>();
  for (const [number, names] of Object.entries(labels ?? {}) as Array<[string, readonly string[]]>) {
    for (const name of names) byLabel.set(name.trim().toLowerCase(), Number(number));
  }
  const allowed = labels === undefined ? undefined : new Set(Object.keys(labels).map(Number));
  const inRange = (number: number) => (min === undefined || number >= min) && (max === undefined || number <= max);
  const integer = (value: unknown): number | undefined => {
    if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
    if (typeof value === 'string') return digits.test(value) ? Number(value) : byLabel.get(value.trim().toLowerCase());
    return undefined;
  };
  const listing = labels === undefined ? '' : labelListing(labels);
  const range = min !== undefined && max !== undefined ? `from ${min} to ${max}` : min !== undefined ? `at least ${min}` : `at most ${max}`;
  return {
    read(value) {
      const number = integer(value);
      return number !== undefined && Number.isSafeInteger(number) && (allowed === undefined || allowed.has(number)) && inRange(number) ? number : undefined;
    },
    refusal(value) {
      if (allowed !== undefined) return `${shown(value)} is not one of ${listing}`;
      const number = integer(value);
      if (number === undefined) return `${shown(value)} is not an integer`;
      return Number.isSafeInteger(number) ? `${shown(value)} is not ${range}` : `must be an integer within ±${Number.MAX_SAFE_INTEGER} (2^53 - 1)`;
    },
  };
}

/** `1 不通过 fail, 2 通过 pass`: each integer with its labels. */
function labelListing(labels: EnumLabels): string {
  return Object.entries(labels)
    .map(([number, names]) => [number, ...(names as readonly string[])].join(' '))
    .join(', ');
}

/** `1 fail, 2 pass`: each integer with its first label in Latin letters (a short gloss for comments). */
export function latinListing(labels: EnumLabels): string {
  return Object.entries(labels)
    .map(([number, names]) => {
      const latin = latinLabel(names as readonly string[]);
      return latin === undefined ? number : `${number} ${latin}`;
    })
    .join(', ');
}

/** The first label written in Latin letters (`score` among 打分题, score), for drafts and glosses. */
function latinLabel(names: readonly string[]): string | undefined {
  return names.find((name) => /^[a-z][a-z -]*$/i.test(name));
}
