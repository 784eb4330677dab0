/**
 * How many records a file holds, for the progress line's total and ETA, counted at disk speed before the import
 * starts: its non-blank lines, less a CSV header, where a newline inside CSV quotes does not count. Only for
 * encodings where the bytes 0x0A and 0x22 are always a newline and a quote (UTF-8, GB18030). An estimate, if a
 * close one: a row of empty cells counts, though the reader skips it.
 */
import { createReadStream } from 'node:fs';

const newline = 0x0a;
const quote = 0x22;
const carriageReturn = 0x0d;

/** Undefined when the encoding does not allow a byte count, or when `signal` aborts the count (Ctrl-C). */
export async function estimateRecords(path: string, encoding: string, format: 'csv' | 'jsonl', signal?: AbortSignal): Promise<number | undefined> {
  if (encoding !== 'utf-8' && encoding !== 'gb18030') return undefined;
  let lines = 0;
  let inQuotes = false;
  let lineHasText = false;
  let lastByte = newline;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (signal?.aborted) return undefined;
    if (format === 'jsonl') {
      for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) lines++;
    } else {
      for (let at = 0; at < chunk.length; at++) {
        const byte = chunk[at];
        if (byte === newline && !inQuotes) {
          if (lineHasText) lines++;
          lineHasText = false;
        } else if (byte !== carriageReturn) {
          lineHasText = true;
          if (byte === quote) inQuotes = !inQuotes;
        }
      }
    }
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  }
  if (format === 'csv' ? lineHasText : lastByte !== newline) lines++;
  return Math.max(0, lines - (format === 'csv' ? 1 : 0));
}
