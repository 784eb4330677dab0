/**
 * A worksheet part streamed as rows of cell texts, exactly as Excel shows them. The first row with a value is the
 * header; every later row is read only up to the header's width: of the cells beyond it only the first with a value
 * is kept (its reference and text), so a stray cell at XFD costs one cell, not 16,384. Empty cells are never stored.
 * A cell's text is cut off at MAX_CELL_CHARS, keeping its length, and never held whole past it.
 */
import { formatNumber, general } from './cellText.js';
import { MAX_CELL_CHARS } from './workbookLimits.js';
import type { Oversized, WorkbookInfo } from './workbookParts.js';
import { unescapeText, xmlFeed } from './xmlEvents.js';

export interface SheetRow {
  /** The row number Excel shows (the line of its record). */
  number: number;
  /** Texts up to the header's width ('' for an empty cell); shorter when the row's last cells are empty. */
  cells: string[];
  /** The characters of the row's cells, oversized ones included. */
  chars: number;
  /** Cells whose text is over MAX_CELL_CHARS: their column index and length. */
  oversized?: { index: number; length: number }[];
  /** The cells holding a number that lost digits: column index and how Excel shows it. */
  damaged?: { index: number; shown: string }[];
  /** The first cell with a value beyond the header's width. */
  beyond?: { ref: string; text: string };
}

/** Excel keeps 15 significant digits: a whole number this large was typed or pasted with more, and lost them. */
const LARGEST_EXACT = 1e15;
const DAY_MS = 86_400_000;
/** 1970-01-01 in the 1900 date system. */
const UNIX_EPOCH_SERIAL = 25569;

export async function* sheetRows(chunks: AsyncIterable<Buffer>, book: WorkbookInfo): AsyncGenerator<SheetRow> {
  const ready: SheetRow[] = [];
  /** The header's width once the header is read; until then every cell is kept. */
  let width = Number.POSITIVE_INFINITY;
  let row: SheetRow | undefined;
  let lastRow = 0;
  let column = -1;
  let type = 'n';
  let style = 0;
  let ref = '';
  let pieces: string[] = [];
  let length = 0;
  let inValue = false;
  let inInline = false;
  let inText = false;
  let inPhonetic = false;

  const finishCell = () => {
    if (row === undefined || length === 0) return;
    if (column >= width) {
      if (row.beyond === undefined && length <= MAX_CELL_CHARS) {
        const text = cellText();
        if (typeof text === 'string' && text.trim() !== '') row.beyond = { ref: ref || `${columnName(column)}${row.number}`, text };
      }
      return;
    }
    row.chars += length;
    if (length > MAX_CELL_CHARS) {
      (row.oversized ??= []).push({ index: column, length });
      place('');
      return;
    }
    const text = cellText();
    if (typeof text !== 'string') {
      row.chars += text.oversized - length;
      (row.oversized ??= []).push({ index: column, length: text.oversized });
      place('');
      return;
    }
    place(text);
  };

  const place = (text: string) => {
    const cells = row!.cells;
    while (cells.length < column) cells.push('');
    cells[column] = text;
  };

  /** The cell's text from its type, value and style. */
  const cellText = (): string | Oversized => {
    const raw = pieces.join('');
    switch (type) {
      case 's':
        return book.strings[Number(raw)] ?? '';
      case 'inlineStr':
      case 'str':
        return unescapeText(raw);
      case 'e':
        return raw;
      case 'b':
        return raw === '1' || raw === 'true' ? 'TRUE' : 'FALSE';
      case 'd': {
        // An ISO 8601 date (Strict OOXML, some writers): shown with its style's format when that is a date.
        const time = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
        if (Number.isNaN(time)) return raw;
        const code = book.formats[style] ?? 'General';
        return /^general$/i.test(code) ? raw : formatNumber(time / DAY_MS + UNIX_EPOCH_SERIAL, code, false);
      }
      default: {
        const value = Number(raw);
        if (raw.trim() === '' || Number.isNaN(value)) return raw;
        if (Math.abs(value) >= LARGEST_EXACT && row && column < width) {
          (row.damaged ??= []).push({ index: column, shown: general(value) });
        }
        return formatNumber(value, book.formats[style] ?? 'General', book.date1904);
      }
    }
  };

  const feed = xmlFeed({
    open(name, attributes) {
      switch (name) {
        case 'row':
          lastRow = attributes.r === undefined ? lastRow + 1 : Number(attributes.r);
          row = { number: lastRow, cells: [], chars: 0 };
          column = -1;
          break;
        case 'c':
          ref = attributes.r ?? '';
          column = ref === '' ? column + 1 : columnIndex(ref);
          type = attributes.t ?? 'n';
          style = Number(attributes.s ?? 0);
          pieces = [];
          length = 0;
          break;
        case 'v':
          inValue = true;
          break;
        case 'is':
          inInline = true;
          break;
        case 'rPh':
          inPhonetic = true;
          break;
        case 't':
          inText = inInline && !inPhonetic;
          break;
      }
    },
    close(name) {
      switch (name) {
        case 'v':
          inValue = false;
          break;
        case 'is':
          inInline = false;
          break;
        case 'rPh':
          inPhonetic = false;
          break;
        case 't':
          inText = false;
          break;
        case 'c':
          finishCell();
          break;
        case 'row':
          if (row === undefined) break;
          if (width === Number.POSITIVE_INFINITY && row.cells.some((cell) => cell.trim() !== '')) width = row.cells.length;
          ready.push(row);
          row = undefined;
          break;
      }
    },
    text(text) {
      if (!inValue && !inText) return;
      length += text.length;
      if (length <= MAX_CELL_CHARS) pieces.push(text);
      else pieces = [];
    },
  });

  for await (const chunk of chunks) {
    feed.write(chunk);
    yield* ready.splice(0);
  }
  feed.end();
  yield* ready.splice(0);
}

/** A1-style reference -> 0-based column index (A -> 0, XFD -> 16383). */
function columnIndex(ref: string): number {
  let index = 0;
  for (let at = 0; at < ref.length; at++) {
    const code = ref.charCodeAt(at);
    if (code >= 65 && code <= 90) index = index * 26 + code - 64;
    else if (code >= 97 && code <= 122) index = index * 26 + code - 96;
    else break;
  }
  return index - 1;
}

/** 0-based column index -> its letters (0 -> A). */
export function columnName(index: number): string {
  let name = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) name = String.fromCharCode(65 + ((rest - 1) % 26)) + name;
  return name;
}
