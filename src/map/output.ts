/** What mapping one record produces as it goes: the request body so far, where each field came from, what went wrong. */
import type { Problem } from '../validate/problem.js';
import type { Refusal } from './refusal.js';

export interface MappingOutput {
  candidate: Record<string, unknown>;
  /** Request field path -> the source it was read from. */
  sources: Record<string, string>;
  problems: Problem[];
}

/** A refused value becomes a problem on its request field, naming the source it was read from. */
export function refuse(output: MappingOutput, field: string, refusal: Refusal, source: string | undefined): void {
  output.problems.push({ field, reason: withSource(refusal.reason, source) });
}

export function withSource(reason: string, source: string | undefined): string {
  return source === undefined ? reason : `${reason} (from ${source})`;
}
