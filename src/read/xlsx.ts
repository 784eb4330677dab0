/**
 * .xlsx: one worksheet streamed with exceljs's WorkbookReader (memory stays flat in the number of rows). The first
 * row with a value is the header; each later row is a record whose `line` is its row number, its cells as text
 * exactly as Excel shows them. An id that Excel already stored as a number past 15 significant digits has lost its
 * last digits: such a record is a problem naming the column, never a record.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { InputError, UsageError } from '../errors.js';
import { cellText, general, type CellValue } from './cellText.js';
import { parseCsvHeader, rawWithoutReason, RowShape, type CsvHeader } from './csv.js';
import type { ByteInput } from './input.js';
import type { RecordSource, SourceItem } from './types.js';

/** The parts of exceljs's streaming readers used here; its typings leave out the sheet name and the date system. */
interface SheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
}
interface BookReader extends AsyncIterable<SheetReader> {
  model?: { sheets?: { name: string; state?: string }[] };
  properties?: { model?: { date1904?: boolean } };
  styles?: { index?: { numFmt?: Record<number, string> } };
}

/** Excel keeps 15 significant digits: a whole number this large was typed or pasted with more, and lost them. */
const LARGEST_EXACT = 1e15;
/** The rejects file: CSV, UTF-8 with a BOM and CRLF, which Excel opens as it is. */
const REJECTS_NEWLINE = '\r\n';

export async function openWorkbook(input: ByteInput, options: { path: string; name: string; sheet?: string }): Promise<RecordSource> {
  const { name } = options;
  const bytes = Readable.from(input.chunks());
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(bytes, {
    sharedStrings: 'cache',
    styles: 'cache', // number formats: dates and numbers as shown
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as BookReader;
  const sheets = reader[Symbol.asyncIterator]();
  let rows: AsyncIterator<ExcelJS.Row> | undefined;
  const close = async () => {
    bytes.destroy();
    await Promise.allSettled([rows?.return?.(), sheets.return?.()]);
    await input.close();
  };
  try {
    const sheet = await unreadable(name, () => findSheet(sheets, reader, options.sheet, name));
    addLocaleDateFormats(reader);
    rows = sheet[Symbol.asyncIterator]();
    const date1904 = reader.properties?.model?.date1904 === true;
    const first = await unreadable(name, () => firstRow(rows!, date1904));
    if (first === undefined) throw new InputError(`${name}: sheet "${sheet.name}" is empty`);
    const header = parseCsvHeader(toCsvLine(first.cells), ',', REJECTS_NEWLINE, `${name} (sheet "${sheet.name}", row ${first.number})`);

    let started = false;
    const items = (): AsyncIterable<SourceItem> => {
      if (started) throw new Error(`${name}: items() can only be read once`);
      started = true;
      return sheetItems(rows!, header, date1904, name);
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

/** The named sheet, or the first visible one; UsageError listing the sheets when there is no such sheet. */
async function findSheet(sheets: AsyncIterator<SheetReader>, reader: BookReader, wanted: string | undefined, name: string): Promise<SheetReader> {
  const seen: string[] = [];
  for (let next = await sheets.next(); !next.done; next = await sheets.next()) {
    // The workbook part lists the sheets in tab order; it usually comes before the sheets, but need not.
    const listed = reader.model?.sheets;
    const target = wanted ?? listed?.find((sheet) => sheet.state !== 'hidden' && sheet.state !== 'veryHidden')?.name ?? next.value.name;
    if (listed && !listed.some((sheet) => sheet.name === target)) break;
    if (next.value.name === target) return next.value;
    seen.push(next.value.name);
  }
  const names = reader.model?.sheets?.map((sheet) => sheet.name) ?? seen;
  if (wanted === undefined) throw new InputError(`${name}: the workbook has no worksheet`);
  throw new UsageError(`${name} has no sheet named "${wanted}"; its sheets: ${names.map((sheet) => `"${sheet}"`).join(', ')} (pass one with --sheet)`);
}

/**
 * Built-in formats 27-36 and 50-58 have no text in the file: Excel draws them per locale, and exceljs leaves them
 * out, which would turn such dates into day numbers. These are their Chinese (zh-CN) forms.
 */
const LOCALE_FORMATS: Record<number, string> = {
  27: 'yyyy"年"m"月"', 28: 'm"月"d"日"', 29: 'm"月"d"日"', 30: 'm-d-yy', 31: 'yyyy"年"m"月"d"日"',
  32: 'h"时"mm"分"', 33: 'h"时"mm"分"ss"秒"', 34: '上午/下午 h"时"mm"分"', 35: '上午/下午 h"时"mm"分"ss"秒"',
  36: 'yyyy"年"m"月"', 50: 'yyyy"年"m"月"', 51: 'm"月"d"日"', 52: 'yyyy"年"m"月"', 53: 'm"月"d"日"', 54: 'm"月"d"日"',
  55: '上午/下午 h"时"mm"分"', 56: '上午/下午 h"时"mm"分"ss"秒"', 57: 'yyyy"年"m"月"', 58: 'm"月"d"日"',
};

/** Adds them to the format index exceljs 4 looks codes up in, before the sheet's first row is parsed. */
function addLocaleDateFormats(reader: BookReader): void {
  const index = reader.styles?.index?.numFmt;
  if (!index) return;
  for (const [id, code] of Object.entries(LOCALE_FORMATS)) index[Number(id)] ??= code;
}

interface SheetRow {
  number: number;
  cells: string[];
  /** The first cell holding a number that lost digits: its column index and how Excel shows it. */
  damaged?: { index: number; shown: string };
}

function readRow(row: ExcelJS.Row, date1904: boolean): SheetRow {
  const cells: string[] = [];
  let damaged: SheetRow['damaged'];
  row.eachCell({ includeEmpty: true }, (cell, column) => {
    const value = cell.value as CellValue;
    cells[column - 1] = cellText(value, cell.numFmt, date1904);
    if (damaged === undefined && typeof value === 'number' && Math.abs(value) >= LARGEST_EXACT) {
      damaged = { index: column - 1, shown: general(value) };
    }
  });
  for (let index = 0; index < cells.length; index++) cells[index] ??= '';
  return { number: row.number, cells, damaged };
}

/** The first row with a value in it: the header. Rows above it (a blank first row) are skipped. */
async function firstRow(rows: AsyncIterator<ExcelJS.Row>, date1904: boolean): Promise<SheetRow | undefined> {
  for (let next = await rows.next(); !next.done; next = await rows.next()) {
    const row = readRow(next.value, date1904);
    if (row.cells.some((cell) => cell.trim() !== '')) return row;
  }
  return undefined;
}

async function* sheetItems(rows: AsyncIterator<ExcelJS.Row>, header: CsvHeader, date1904: boolean, name: string): AsyncGenerator<SourceItem> {
  const { names } = header;
  const shape = new RowShape(header);
  for (;;) {
    const next = await unreadable(name, () => rows.next());
    if (next.done) return;
    const row = readRow(next.value, date1904);
    const raw = rawWithoutReason(toCsvLine(row.cells), header, ',');
    const column = row.damaged && names[row.damaged.index];
    if (row.damaged && column) {
      yield {
        kind: 'problem',
        line: row.number,
        raw,
        field: `column ${column}`,
        reason:
          `${row.damaged.shown} was stored by Excel as a number and lost its last digits; ` +
          'format the column as Text in the source system and export again',
      };
      continue;
    }
    const item = shape.toItem(row.cells, row.number, raw);
    if (item !== undefined) yield item;
  }
}

/** One row as a CSV line: the rejects file's text, and how the header reaches the CSV header checks. */
function toCsvLine(cells: string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',');
}

/** exceljs's own errors (a damaged zip, bad XML) become one clear InputError naming the file. */
async function unreadable<T>(name: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InputError || error instanceof UsageError) throw error;
    throw new InputError(`${name}: cannot be read as an Excel workbook (${error instanceof Error ? error.message : String(error)})`);
  }
}
