/**
 * The rejects file's reason: a last CSV column or JSONL field named `hire_import_error`, saying why each record was
 * refused. Whenever an input has a column or field of that name, the readers leave it out of the record, its raw
 * text and the header, so a fixed rejects file imports as it is (as Salesforce's error files do), and its rejects
 * get one fresh reason, not a second one.
 */
import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';

export const REASON_COLUMN = 'hire_import_error';

const QUOTE = '"';

/** The reason column's place in a CSV header, if it has one. */
export function reasonColumnIn(names: readonly string[]): number | undefined {
  const index = names.indexOf(REASON_COLUMN);
  return index === -1 ? undefined : index;
}

/**
 * A CSV record's text without its cell at `index` and that cell's delimiter; unchanged when the record has no such
 * cell.
 */
export function withoutCell(raw: string, delimiter: string, index: number): string {
  const bounds = [-1, ...delimitersIn(raw, delimiter, index + 1)]; // the delimiters around each cell
  if (bounds.length <= index) return raw; // fewer cells than that
  const start = bounds[index]!;
  const end = bounds[index + 1] ?? raw.length;
  // The first cell takes the delimiter after it with it; any other, the delimiter before it.
  return index === 0 ? raw.slice(end + 1) : raw.slice(0, start) + raw.slice(end);
}

/**
 * Where the delimiters between a record's cells are, the first `limit` of them. Delimiters inside quotes do not
 * count; a quote opens and closes as csv-parse reads it ("" toggles twice).
 */
function delimitersIn(raw: string, delimiter: string, limit = Infinity): number[] {
  const found: number[] = [];
  let quoted = false;
  for (let at = 0; at < raw.length && found.length < limit; at++) {
    if (raw[at] === QUOTE) quoted = !quoted;
    else if (!quoted && raw[at] === delimiter) found.push(at);
  }
  return found;
}

/** A CSV header line with the reason column after the input's columns. */
export function headerWithReason(headerRaw: string, delimiter: string): string {
  return `${headerRaw}${delimiter}${REASON_COLUMN}`;
}

/**
 * A CSV record's text with the reason in the cell after the input's `columns`: a short row gets the empty cells it
 * lacks first, so the reason lands in its column. A record whose quotes do not balance (a quote left open) is left
 * as it is: a cell after it would land inside the open quote.
 */
export function csvWithReason(raw: string, delimiter: string, columns: number, reason: string): string {
  if (raw.split(QUOTE).length % 2 === 0) return raw;
  const cells = delimitersIn(raw, delimiter, columns).length + 1;
  const needsQuotes = reason.includes(delimiter) || /["\r\n]/.test(reason) || reason.trim() !== reason;
  const cell = needsQuotes ? `${QUOTE}${reason.replaceAll(QUOTE, QUOTE + QUOTE)}${QUOTE}` : reason;
  return `${raw}${delimiter.repeat(Math.max(columns - cells, 0) + 1)}${cell}`;
}

/**
 * A JSONL line with the reason as its last field, the rest of the text untouched. A line that is not a JSON object
 * (it could not be read) is left as it is: the log holds its reason.
 */
export function jsonlWithReason(raw: string, reason: string): string {
  const text = raw.trimEnd();
  if (!text.trimStart().startsWith('{') || !text.endsWith('}')) return raw;
  const body = text.slice(0, -1);
  const empty = body.trim() === '{';
  return `${body}${empty ? '' : ','}${JSON.stringify(REASON_COLUMN)}:${JSON.stringify(reason)}}`;
}

/**
 * A JSONL object read from a rejects file, without its reason field: the fields and the line's text. The text is
 * written again by lossless-json, so numbers keep their exact digits.
 */
export function jsonlWithoutReason(fields: Record<string, unknown>, raw: string): { fields: Record<string, unknown>; raw: string } {
  const { [REASON_COLUMN]: _fields, ...rest } = fields;
  const { [REASON_COLUMN]: _raw, ...text } = parseLossless(raw) as Record<string, unknown>;
  return { fields: rest, raw: stringifyLossless(text) ?? raw };
}
