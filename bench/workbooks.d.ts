/** Types of bench/workbooks.js, for the tests that write workbooks with it. */
type Pieces = Iterable<string>;
export function writeWorkbook(path: string, parts: { sheet: Pieces; strings?: Pieces }): Promise<void>;
export function textCell(ref: string, text: string): string;
export function textRow(number: number, cells: string[]): string;
export function repeated(text: string, length: number): Generator<string>;
export const HEADER: string[];
export function strayCellRows(rows: number): Generator<string>;
export function hugeCellRows(length: number): Generator<string>;
export function tinySharedStrings(count: number): Generator<string>;
export function hugeSharedString(length: number): Generator<string>;
export function sharedStringRows(): Generator<string>;
export function plainRows(rows: number): Generator<string>;
export const MAPPING: string;
