/** JSONL: one JSON object per line. */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { InputLines } from './lines.js';
import type { SourceItem } from './types.js';

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
    value = JSON.parse(raw);
  } catch (error) {
    return { kind: 'problem', line, raw, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { kind: 'problem', line, raw, reason: `line is ${got}, not a JSON object` };
  }
  return { kind: 'record', line, fields: value as Record<string, unknown>, raw };
}
