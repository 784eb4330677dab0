/**
 * csv-parse, configured to keep going past malformed records and to hand out every record's original text.
 *
 * csv-parse's on_skip hook receives a malformed record's text only up to the point of the error (an open issue
 * upstream: adaltas/node-csv#292), which is not enough to write the record to a rejects file. The whole text is
 * still in the parser's raw buffer when the record ends, and the parser ends every record by resetting that buffer,
 * so the reset is where a malformed record is reported. This reaches into csv-parse 6 internals (`state`); the
 * read tests fail loudly if an upgrade moves them.
 */
import { parse, type Parser } from 'csv-parse';

/**
 * A record as csv-parse parsed it: its cells, and its text including any blank lines before it and the first
 * character of its line ending.
 */
export interface CsvRow {
  record: string[];
  raw: string;
}

/** A record csv-parse could not parse: the reason, and the text as for CsvRow. */
export interface CsvRowError {
  reason: string;
  raw: string;
}

export type ParsedRow = CsvRow | CsvRowError;

export interface RowParser {
  /** Takes UTF-8 bytes or strings; gives ParsedRow objects, in input order. */
  parser: Parser;
  /** A record still open when the input ended (an unclosed quote), which csv-parse reports but never ends. */
  takeUnfinished(): CsvRowError | undefined;
}

/** The parts of csv-parse's Parser this module relies on beyond its typed API. */
interface ParserInternals {
  state: {
    rawBuffer: { length: number; reset(): void; toString(encoding: 'utf8'): string };
  };
}

export function createRowParser(delimiter: string): RowParser {
  let failure: CsvRowError | undefined;
  const parser = parse({
    delimiter,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error, raw) => {
      // A record can fail more than once; the first reason is the one to fix.
      failure ??= { reason: error?.message ?? 'malformed record', raw: raw ?? '' };
      return undefined;
    },
  });
  const { state } = parser as unknown as ParserInternals;
  const { rawBuffer } = state;
  if (typeof rawBuffer?.reset !== 'function') {
    throw new Error('csv-parse internals changed: state.rawBuffer.reset is missing');
  }
  const reset = rawBuffer.reset;
  rawBuffer.reset = () => {
    if (failure !== undefined) {
      parser.push({ reason: failure.reason, raw: rawBuffer.toString('utf8') } satisfies CsvRowError);
      failure = undefined;
    }
    reset.call(rawBuffer);
  };
  return {
    parser,
    takeUnfinished() {
      const unfinished = failure;
      failure = undefined;
      return unfinished;
    },
  };
}
