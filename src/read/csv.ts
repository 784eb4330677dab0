/**
 * CSV: the header from the sample, then records streamed through csv-parse. A record with bytes that do not decode
 * is refused by line; a quote never closed is refused with the count of the lines it kept from being read; a record
 * over MAX_RECORD_BYTES, quoted or not, is refused by line without ever being held whole.
 */
import { randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { parse as parseSync } from 'csv-parse/sync';
import { InputError } from '../errors.js';
import { createRowParser, type CsvRow, type ParsedRow } from './csv-parser.js';
import { MAX_RECORD_BYTES } from '../limits.js';
import type { InputLines } from './lines.js';
import { linesLost, oversizeReason } from './oversize.js';
import { RecordBounds, type Oversize, type Segment } from './recordBounds.js';
import { reasonColumnIn, withoutCell } from './reasonColumn.js';
import type { SourceItem } from './types.js';

export interface CsvHeader {
  /** Trimmed column names as in the file; '' for a blank header cell. */
  names: string[];
  /** The columns a record has: `names` without a rejects file's reason column. */
  columns: string[];
  /** The header line's original text, without its line ending and without the reason column. */
  raw: string;
  /** Where the reason column is in `names`, when the input is a rejects file that has one. */
  reasonAt?: number;
}

/** Parses and checks the header from the decoded sample; InputError when it is unusable. */
export function parseCsvHeader(sample: string, delimiter: string, newline: string, name: string): CsvHeader {
  let rows: CsvRow[];
  try {
    const options = { delimiter, to: 1, raw: true, relax_column_count: true, skip_empty_lines: true };
    // csv-parse's types do not model `raw: true`, which turns each row into { record, raw }.
    rows = parseSync(sample, options) as unknown as CsvRow[];
  } catch (error) {
    throw new InputError(`${name}: cannot read the header line (${(error as Error).message})`);
  }
  const first = rows[0];
  const names = first?.record.map((cell) => cell.trim()) ?? [];
  if (first === undefined || names.every((column) => column === '')) {
    throw new InputError(`${name}: the first line has no column names`);
  }
  const seen = new Map<string, number>();
  names.forEach((column, index) => {
    if (column === '') return;
    // Assigning it on a plain object would set the prototype instead of a field.
    if (column === '__proto__') throw new InputError(`${name}: column ${index + 1} is named "__proto__"; rename it`);
    const earlier = seen.get(column);
    if (earlier !== undefined) {
      throw new InputError(
        `${name}: columns ${earlier + 1} and ${index + 1} are both named "${column}" in the header; rename one`,
      );
    }
    seen.set(column, index);
  });
  const raw = new LineCounter(newline).place(first.raw).text;
  const reasonAt = reasonColumnIn(names);
  if (reasonAt === undefined) return { names, columns: names, raw };
  return { names, columns: names.filter((_, index) => index !== reasonAt), raw: withoutCell(raw, delimiter, reasonAt), reasonAt };
}

/** A record's text as a rejects file writes it again: without the reason column the input may have. */
export function rawWithoutReason(text: string, header: CsvHeader, delimiter: string): string {
  return header.reasonAt === undefined ? text : withoutCell(text, delimiter, header.reasonAt);
}

/**
 * The records after the header, in file order, with problems for the rows that cannot be records. `input` has read
 * every chunk before csv-parse sees it.
 */
export async function* csvItems(
  chunks: AsyncIterable<Buffer | string>,
  header: CsvHeader,
  delimiter: string,
  newline: string,
  input: InputLines,
): AsyncGenerator<SourceItem> {
  const rows = createRowParser(delimiter);
  const lines = new LineCounter(newline);
  const shape = new RowShape(header);
  // A record over the bound reaches csv-parse as one quoted cell holding this mark and its line breaks, so that the
  // lines after it keep their numbers; the row that cell makes is refused in its place.
  const mark = `hire-import:oversize:${randomUUID()}`;
  const oversized: Oversize[] = [];
  const toParser = (segment: Segment): Buffer | string => {
    if (typeof segment === 'string' || Buffer.isBuffer(segment)) return segment;
    oversized.push(segment);
    return `"${mark}${'\n'.repeat(segment.breaks)}"${segment.terminated ? newline : ''}`;
  };
  const feeding = pipeline(async function* () {
    const bounds = new RecordBounds({ quotes: true, max: MAX_RECORD_BYTES });
    for await (const chunk of chunks) yield* bounds.push(chunk).map(toParser);
    yield* bounds.end().map(toParser);
  }, rows.parser);
  // Failures surface through the parser's iteration; an early break also rejects this with a premature close.
  feeding.catch(() => undefined);

  let headerSeen = false;
  for await (const row of rows.parser as AsyncIterable<ParsedRow>) {
    const placed = lines.place(row.raw);
    const { line, last } = placed;
    if ('record' in row && row.record.length === 1 && row.record[0]!.startsWith(mark)) {
      const oversize = oversized.shift()!;
      yield { kind: 'problem', line, raw: oversize.head, reason: oversizeReason(oversize, line, input.last) };
      continue;
    }
    const text = rawWithoutReason(placed.text, header, delimiter);
    if ('reason' in row) {
      yield { kind: 'problem', line, raw: text, reason: row.reason };
    } else if (headerSeen) {
      const undecodable = input.undecodableIn(line, last);
      if (undecodable !== undefined) {
        yield { kind: 'problem', line, raw: text, reason: undecodable };
        continue;
      }
      const item = shape.toItem(row.record, line, text);
      if (item !== undefined) yield item;
    } else {
      headerSeen = true;
    }
  }
  await feeding;
  const unfinished = rows.takeUnfinished();
  if (unfinished !== undefined) {
    // csv-parse's own message names the line where parsing ended, not where the quote opened.
    const placed = lines.place(unfinished.raw);
    const { line } = placed;
    const text = rawWithoutReason(placed.text, header, delimiter);
    yield { kind: 'problem', line, raw: text, reason: `unclosed quote${linesLost(line, input.last)}` };
  }
}

/**
 * Start lines from csv-parse's raw texts, fed in order. Each raw is the text since the previous record: blank lines
 * (one line-ending character each, csv-parse skips the rest of a CRLF), the record, and its line ending's first
 * character. Counting here, not csv-parse's info.lines, because that counts a CRLF inside quotes as two lines.
 */
class LineCounter {
  private next = 1;
  private readonly terminator: number;

  constructor(newline: string) {
    this.terminator = newline.charCodeAt(0);
  }

  /** Where the record in `raw` starts and ends (its first and last line), and its text. */
  place(raw: string): { line: number; last: number; text: string } {
    let start = 0;
    while (start < raw.length && raw.charCodeAt(start) === this.terminator) start++;
    let end = raw.length;
    const terminated = end > start && raw.charCodeAt(end - 1) === this.terminator;
    if (terminated) end--;
    const line = this.next + start;
    let breaks = 0;
    for (let at = raw.indexOf('\n', start); at !== -1 && at < end; at = raw.indexOf('\n', at + 1)) breaks++;
    this.next = line + breaks + (terminated ? 1 : 0);
    return { line, last: line + breaks, text: raw.slice(start, end) };
  }
}

/** Maps a row's cells onto the header, and tells which rows do not fit it. */
export class RowShape {
  private readonly names: string[];
  /** A rejects file's reason column: part of the row's shape, never of the record. */
  private readonly reasonAt: number | undefined;
  private readonly named: { index: number; name: string }[] = [];
  private readonly unnamed: number[] = [];
  /** Every field, undefined: a full row starts as a copy, one allocation with the final shape. */
  private readonly template: Record<string, unknown>;

  constructor(header: Pick<CsvHeader, 'names' | 'reasonAt'>) {
    this.names = header.names;
    this.reasonAt = header.reasonAt;
    this.names.forEach((name, index) => {
      if (name === '') this.unnamed.push(index);
      else if (index !== this.reasonAt) this.named.push({ index, name });
    });
    this.template = Object.fromEntries(this.named.map(({ name }) => [name, undefined]));
  }

  /** A record, a problem, or undefined for a row with nothing in it (a reason alone is nothing). */
  toItem(cells: string[], line: number, raw: string): SourceItem | undefined {
    if (cells.every((cell, index) => index === this.reasonAt || !hasValue(cell))) return undefined;
    if (cells.length > this.names.length) {
      let count = cells.length;
      while (!hasValue(cells[count - 1]!)) count--;
      if (count > this.names.length) {
        const reason = `row has ${count} cells but the header has ${this.names.length}`;
        return { kind: 'problem', line, raw, reason };
      }
    }
    for (const index of this.unnamed) {
      if (index < cells.length && hasValue(cells[index]!)) {
        const reason = `cell ${index + 1} has a value but its column has no name in the header`;
        return { kind: 'problem', line, raw, reason };
      }
    }
    // Copying the template is about 3x faster than adding 20 keys one by one. A short row must not get keys for
    // the cells it lacks, so it starts empty.
    const fields: Record<string, unknown> = cells.length >= this.names.length ? { ...this.template } : {};
    for (const { index, name } of this.named) {
      if (index >= cells.length) break;
      fields[name] = cells[index];
    }
    return { kind: 'record', line, fields, raw };
  }
}

/** Whitespace alone is not a value: such cells are as good as empty when deciding what a row holds. */
function hasValue(cell: string): boolean {
  return cell.trim() !== '';
}
