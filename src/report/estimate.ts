/**
 * An estimate of how many records a file holds, for the progress line's total and ETA: its line count, read at
 * disk speed. Only for encodings where a 0x0A byte is always a newline (UTF-8, GB18030), and only an estimate (a
 * quoted newline inside a CSV cell counts too).
 */
import { createReadStream } from 'node:fs';

export async function estimateRecords(path: string, encoding: string, hasHeader: boolean): Promise<number | undefined> {
  if (encoding !== 'utf-8' && encoding !== 'gb18030') return undefined;
  let newlines = 0;
  let lastByte = 0x0a;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) newlines++;
    lastByte = chunk[chunk.length - 1] ?? lastByte;
  }
  const lines = newlines + (lastByte === 0x0a ? 0 : 1);
  return Math.max(0, lines - (hasHeader ? 1 : 0));
}
