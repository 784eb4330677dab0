/**
 * `hire-import preview FILE [--resource R] [--mapping M] [-n 5]`: the exact wire bodies the first records would
 * become, or why not, after the mapping's warnings. Nothing is sent.
 */
import { UsageError } from '../errors.js';
import { openMappedInput, prepare, type InputOptions } from '../import/records.js';
import { warningLines } from '../map/place.js';

export interface PreviewOptions extends Omit<InputOptions, 'stdin'> {
  /** How many records to show. */
  n: number;
}

export async function preview(
  options: PreviewOptions,
  io: { stdout(text: string): void; stderr(text: string): void; stdin?: NodeJS.ReadableStream },
): Promise<{ shown: number; invalid: number }> {
  if (!Number.isInteger(options.n) || options.n < 1) throw new UsageError(`-n must be a positive whole number, got ${options.n}`);
  const cleanup: Array<() => unknown> = [];
  try {
    const { mapper, records } = await openMappedInput({ ...options, stdin: io.stdin }, cleanup);
    io.stderr(warningLines(mapper.warnings));
    let shown = 0;
    let invalid = 0;
    for await (const item of await records()) {
      const prepared = await prepare(item, mapper);
      if (prepared.ok) {
        io.stdout(`line ${item.line}:\n${JSON.stringify(prepared.body, null, 2)}\n\n`);
      } else {
        invalid++;
        io.stdout(`line ${item.line}: invalid\n${prepared.problems.map((problem) => `  ${problem.field}: ${problem.reason}\n`).join('')}\n`);
      }
      if (++shown === options.n) break;
    }
    io.stderr(`${shown} record(s) shown, ${invalid} invalid; nothing was sent\n`);
    return { shown, invalid };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}
