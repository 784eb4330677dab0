/**
 * JSONL: one JSON object per line. Numbers never become other numbers: an integer beyond 2^53, which JSON.parse
 * would round (6986199832494934317 to ...934000), arrives as the text of its exact digits. Text fields take it as
 * it is; a field that must be a number refuses it by name. A line over MAX_RECORD_BYTES is refused by its number
 * without being held whole; a string holding a lone surrogate escape ("\ud800"), which is no character, is refused
 * as undecodable bytes are (a server that replaces it with U+FFFD would make two keys one).
 */
import { parse as parseLossless } from 'lossless-json';
import { MAX_RECORD_BYTES } from '../limits.js';
import type { InputLines } from './lines.js';
import { oversizeReason } from './oversize.js';
import { jsonlWithoutReason, REASON_COLUMN } from './reasonColumn.js';
import { RecordBounds, type Piece } from './recordBounds.js';
import type { SourceItem } from './types.js';

/**
 * A bare number of 16 digits or more, the shortest that can pass 2^53: only such lines pay for the lossless parser.
 * Digits inside a string can match too, which costs time, not correctness.
 */
const LONG_NUMBER = /[:,[]\s*-?\d{16}/;
const INTEGER = /^-?\d+$/;
/** An escape of a UTF-16 surrogate: only lines with one can hold a lone surrogate (decoded text never does). */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** A surrogate code unit that is not half of a pair: with the u flag, pairs read as one code point. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The objects in file order; a line that is not a JSON object, or holds bytes that do not decode, is a problem.
 * Blank lines are skipped. `input` has read every chunk before the lines are split.
 */
export async function* jsonlItems(chunks: AsyncIterable<Buffer | string>, input: InputLines): AsyncGenerator<SourceItem> {
  const bounds = new RecordBounds({ quotes: false, max: MAX_RECORD_BYTES });
  let line = 0;
  const itemsOf = function* (segments: ReturnType<RecordBounds['push']>): Generator<SourceItem> {
    for (const segment of segments) {
      if (typeof segment !== 'string' && !Buffer.isBuffer(segment)) {
        line++;
        yield { kind: 'problem', line, raw: segment.head, reason: oversizeReason(segment, line, input.last) };
        continue;
      }
      for (const raw of linesOf(segment)) {
        line++;
        if (raw.trim() === '') continue;
        const undecodable = input.undecodableIn(line, line);
        yield undecodable === undefined ? toItem(raw, line) : { kind: 'problem', line, raw, reason: undecodable };
      }
    }
  };
  for await (const chunk of chunks) yield* itemsOf(bounds.push(chunk));
  yield* itemsOf(bounds.end());
}

/** The lines of whole records (the last may lack its line ending), without their line endings. */
function* linesOf(piece: Piece): Generator<string> {
  for (let start = 0; start < piece.length; ) {
    const found = piece.indexOf('\n', start);
    const stop = found === -1 ? piece.length : found;
    const end = stop > start && (typeof piece === 'string' ? piece.charCodeAt(stop - 1) === 0x0d : piece[stop - 1] === 0x0d) ? stop - 1 : stop;
    yield typeof piece === 'string' ? piece.slice(start, end) : piece.toString('utf8', start, end);
    start = stop + 1;
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
  const lone = SURROGATE_ESCAPE.test(raw) ? loneSurrogateAt(value, '') : undefined;
  if (lone !== undefined) {
    return { kind: 'problem', line, raw, field: lone || undefined, reason: `${lone === '' ? 'a key' : `"${lone}"`} holds a lone surrogate escape (\\ud800 to \\udfff alone), which is not a character` };
  }
  const fields = value as Record<string, unknown>;
  // A line of a rejects file: its reason is not part of the record.
  if (Object.hasOwn(fields, REASON_COLUMN)) return { kind: 'record', line, ...jsonlWithoutReason(fields, raw) };
  return { kind: 'record', line, fields, raw };
}

/** The path of the first string (or '' for a key) that is not well-formed UTF-16, if any. */
function loneSurrogateAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return '';
    const found = loneSurrogateAt(child, Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A number as JSON.parse gives it, but an integer beyond 2^53 as its digits. */
function exactNumber(digits: string): number | string {
  const value = Number(digits);
  return Number.isSafeInteger(value) || !INTEGER.test(digits) ? value : digits;
}
