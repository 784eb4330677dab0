/**
 * .xlsx: one worksheet, found by the name and order workbook.xml gives it whatever the ZIP's order, streamed row by
 * row (memory stays flat in the number of rows). The first row with a value is the header; each later row is a
 * record whose `line` is its row number, its cells as text exactly as Excel shows them. Every read is bounded
 * (workbookLimits): a part too large is a file error; a cell or record too large, or a value beyond the header's
 * width, is a problem of its row. An id Excel stored as a number past 15 significant digits has lost its last
 * digits: the record carries that, and is refused only if the mapping reads the column.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { InputError, UsageError } from '../errors.js';
import { parseCsvHeader, rawWithoutReason, RowShape, type CsvHeader } from './csv.js';
import type { ByteInput } from './input.js';
import { columnName, sheetRows, type SheetRow } from './sheetRows.js';
import type { RecordSource, SourceItem } from './types.js';
import { characters, MAX_CELL_CHARS, MAX_RECORD_CHARS } from './workbookLimits.js';
import { readWorkbookInfo, type SheetEntry } from './workbookParts.js';
import { ZipParts } from './zipParts.js';

/** The rejects file: CSV, UTF-8 with a BOM and CRLF, which Excel opens as it is. */
const REJECTS_NEWLINE = '\r\n';

export async function openWorkbook(input: ByteInput, options: { path: string; name: string; sheet?: string }): Promise<RecordSource> {
  const { name } = options;
  const zip = await unreadable(name, () => openZip(input, options.path, name));
  let rows: AsyncGenerator<SheetRow> | undefined;
  const close = async () => {
    await rows?.return(undefined);
    zip.close();
  };
  try {
    const book = await unreadable(name, () => readWorkbookInfo(zip));
    const sheet = findSheet(book.sheets, options.sheet, name);
    if (!zip.has(sheet.part)) throw new InputError(`${name}: sheet "${sheet.name}" names the part ${sheet.part}, which the workbook lacks`);
    rows = sheetRows(zip.chunks(sheet.part, Number.POSITIVE_INFINITY, `sheet "${sheet.name}"`), book);
    const first = await unreadable(name, () => firstRow(rows!));
    if (first === undefined) throw new InputError(`${name}: sheet "${sheet.name}" is empty`);
    const header = parseCsvHeader(toCsvLine(first.cells), ',', REJECTS_NEWLINE, `${name} (sheet "${sheet.name}", row ${first.number})`);

    let started = false;
    const items = (): AsyncIterable<SourceItem> => {
      if (started) throw new Error(`${name}: items() can only be read once`);
      started = true;
      return sheetItems(rows!, header, name, close);
    };
    return {
      path: options.path,
      format: 'csv',
      encoding: 'utf-8',
      bom: true,
      regularFile: input.regularFile,
      delimiter: ',',
      header: header.columns,
      headerRaw: header.raw,
      newline: REJECTS_NEWLINE,
      sheet: sheet.name,
      items,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The ZIP's central directory is at its end: a file is opened where it is; stdin or a pipe is first copied to a
 * private temporary file, unlinked as soon as it is open.
 */
async function openZip(input: ByteInput, path: string, name: string): Promise<ZipParts> {
  if (input.regularFile) {
    await input.close();
    return ZipParts.open(path, name);
  }
  const folder = await mkdtemp(join(tmpdir(), 'hire-import-'));
  try {
    const copy = join(folder, 'input.xlsx');
    await pipeline(input.chunks(), createWriteStream(copy, { mode: 0o600 }));
    return await ZipParts.open(copy, name);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The named sheet (else the same name in another case), or the first visible one; UsageError listing the sheets. */
function findSheet(sheets: SheetEntry[], wanted: string | undefined, name: string): SheetEntry {
  if (wanted === undefined) {
    const first = sheets.find((sheet) => sheet.visible) ?? sheets[0];
    if (first === undefined) throw new InputError(`${name}: the workbook has no worksheet`);
    return first;
  }
  const found = sheets.find((sheet) => sheet.name === wanted) ?? sheets.find((sheet) => sheet.name.toLowerCase() === wanted.toLowerCase());
  if (found) return found;
  throw new UsageError(`${name} has no sheet named "${wanted}"; its sheets: ${sheets.map((sheet) => `"${sheet.name}"`).join(', ')} (pass one with --sheet)`);
}

/** The first row with a value in it: the header. Rows above it (a blank first row) are skipped. */
async function firstRow(rows: AsyncGenerator<SheetRow>): Promise<SheetRow | undefined> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    if (next.value.cells.some((cell) => cell.trim() !== '')) return next.value;
  }
  return undefined;
}

async function* sheetItems(rows: AsyncGenerator<SheetRow>, header: CsvHeader, name: string, close: () => Promise<void>): AsyncGenerator<SourceItem> {
  const { names } = header;
  const shape = new RowShape(header);
  try {
    for (;;) {
      const next = await unreadable(name, () => rows.next());
      if (next.done) return;
      const row = next.value;
      while (row.cells.length < names.length) row.cells.push('');
      for (const { index, length } of row.oversized ?? []) row.cells[index] = `[${characters(length)} not copied]`;
      const raw = rawWithoutReason(toCsvLine(row.beyond ? [...row.cells, row.beyond.text] : row.cells), header, ',');
      const problem = rowProblem(row, header);
      if (problem !== undefined) {
        yield { kind: 'problem', line: row.number, raw, ...problem };
        continue;
      }
      const item = shape.toItem(row.cells, row.number, raw);
      if (item?.kind === 'record' && row.damaged) {
        const damaged = row.damaged.flatMap(({ index, shown }) => {
          const column = names[index];
          return column ? [{ column, reason: `${shown} was stored by Excel as a number and lost its last digits; format the column as Text in the source system and export again` }] : [];
        });
        if (damaged.length > 0) item.damaged = damaged;
      }
      if (item !== undefined) yield item;
    }
  } finally {
    await close();
  }
}

/** What makes a row no record before its cells are looked at: a bound passed, a value beyond the header. */
function rowProblem(row: SheetRow, header: CsvHeader): { field?: string; reason: string } | undefined {
  const over = row.oversized?.[0];
  if (over !== undefined) {
    const column = header.names[over.index] || `cell ${over.index + 1}`;
    return { field: `column ${column}`, reason: `the cell holds ${characters(over.length)}, more than the ${characters(MAX_CELL_CHARS)} a cell may hold` };
  }
  if (row.chars > MAX_RECORD_CHARS) {
    return { reason: `the row holds ${characters(row.chars)}, more than the ${characters(MAX_RECORD_CHARS)} a record may hold` };
  }
  if (row.beyond !== undefined) {
    const width = header.names.length;
    return { reason: `cell ${row.beyond.ref} has a value but the header has ${width} column${width === 1 ? '' : 's'} (A to ${columnName(width - 1)})` };
  }
  return undefined;
}

/** One row as a CSV line: the rejects file's text, and how the header reaches the CSV header checks. */
function toCsvLine(cells: string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}

/** A damaged zip or bad XML becomes one clear InputError naming the file. */
async function unreadable<T>(name: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error;
    throw new InputError(`${name}: cannot be read as an Excel workbook (${error instanceof Error ? error.message : String(error)})`);
  }
}
