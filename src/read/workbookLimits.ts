/**
 * How much of a workbook is read: the bounds that keep a hostile or damaged .xlsx (a zip bomb, a 300 MiB string,
 * millions of tiny shared strings, a stray cell at the last column) within memory. Messages and the README state
 * them from these constants.
 */
import { MAX_RECORD_BYTES } from '../limits.js';

/** A part held whole while it is parsed (workbook.xml, its relationships, styles.xml). */
export const MAX_PART_BYTES = 16 * 1024 * 1024;
/**
 * The shared-string table is held in memory for the whole read: its part may inflate to this much (a sheet of
 * 200,000 rows of distinct names and emails needs about a tenth of it).
 */
export const MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024;
/** More entries than any workbook has: a directory of millions is refused before it is listed. */
export const MAX_ZIP_ENTRIES = 10_000;
/** One cell's text (Excel itself stops at 32,767 characters). */
export const MAX_CELL_CHARS = 1024 * 1024;
/** One record: all its cells together (the bound every input's records are held to). */
export const MAX_RECORD_CHARS = MAX_RECORD_BYTES;

/** A character count as messages write it: 1,048,577 characters. */
export function characters(count: number): string {
  return `${count.toLocaleString('en-US')} characters`;
}

/** A byte count as messages write it: 64 MiB, 1.5 MiB, 300 KiB. */
export function mib(count: number): string {
  if (count < 1024 * 1024) return `${Math.ceil(count / 1024)} KiB`;
  return `${Number((count / 1024 / 1024).toFixed(1))} MiB`;
}
