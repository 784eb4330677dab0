/**
 * JSONL: one JSON object per line. Numbers never become other numbers: an integer beyond 2^53, which JSON.parse
 * would round (6986199832494934317 to ...934000), arrives as the text of its exact digits. Text fields take it as
 * it is; a field that must be a number refuses it by name.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse as parseLossless } from 'lossless-json';
import type { InputLines } from './lines.js';
import { jsonlWithoutReason, REASON_COLUMN } from './reasonColumn.js';
import type { SourceItem } from './types.js';

/**
 * A bare number of 16 digits or more, the shortest that can pass 2^53: only such lines pay for the lossless parser.
 * Digits inside a string can match too, which costs time, not correctness.
 */
const LONG_NUMBER = /[:,[]\s*-?\d{16}/;
const INTEGER = /^-?\d+$/;

/**
 * The objects in file order; a line that is not a JSON object, or holds bytes that do not decode, is a problem.
 * Blank lines are skipped. `input` has read every chunk before the lines are split.
 */
export async function* jsonlItems(chunks: AsyncIterable<Buffer | string>, input: InputLines): AsyncGenerator<SourceItem> {
  const stream = Readable.from(chunks);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      if (raw.trim() === '') continue;
      const undecodable = input.undecodableIn(line, line);
      yield undecodable === undefined ? toItem(raw, line) : { kind: 'problem', line, raw, reason: undecodable };
    }
  } finally {
    stream.destroy();
  }
}

function toItem(raw: string, line: number): SourceItem {
  let value: unknown;
  try {
    value = LONG_NUMBER.test(raw) ? parseLossless(raw, null, exactNumber) : JSON.parse(raw);
  } catch (error) {
    return { kind: 'problem', line, raw, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { kind: 'problem', line, raw, reason: `line is ${got}, not a JSON object` };
  }
  const fields = value as Record<string, unknown>;
  // A line of a rejects file: its reason is not part of the record.
  if (Object.hasOwn(fields, REASON_COLUMN)) return { kind: 'record', line, ...jsonlWithoutReason(fields, raw) };
  return { kind: 'record', line, fields, raw };
}

/** A number as JSON.parse gives it, but an integer beyond 2^53 as its digits. */
function exactNumber(digits: string): number | string {
  const value = Number(digits);
  return Number.isSafeInteger(value) || !INTEGER.test(digits) ? value : digits;
}
