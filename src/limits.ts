/**
 * The bounds every input is held to, each stated once: the readers, the validator, the mapping's expressions and the
 * sandbox read them, and the README's table of bounds is checked against `boundsTable()`, so no prose can drift from
 * a number. Each is far above what a real export holds and far below what would exhaust the machine.
 */

const MiB = 1024 * 1024;

/**
 * The most bytes one record may take in the input (a CSV record quoted or not, a JSONL line; characters for input
 * that is not UTF-8). A record past it is refused by its line, and never held whole in memory.
 */
export const MAX_RECORD_BYTES = 8 * MiB;

/**
 * The longest text a field of a request may hold, in characters. The API documents no length for its text fields;
 * this one is a choice: 100,000 characters is some 40 pages of interview notes.
 */
export const MAX_FIELD_CHARACTERS = 100_000;

/** Evaluation steps one JSONata expression may take for one record (a loop ends here, well under a second). */
export const MAX_EXPRESSION_STEPS = 200_000;

/** The most items a JSONata sequence or range may hold while evaluating one record. */
export const MAX_EXPRESSION_ITEMS = 100_000;

/** How deep one JSONata expression may nest its evaluation (a recursion ends here, long before the heap does). */
export const MAX_EXPRESSION_DEPTH = 500;

/** The largest request body the sandbox reads (a JSON body; the API's attachment upload is not emulated). */
export const MAX_REQUEST_BYTES = 10 * MiB;

/** A size for messages: "8 MiB", "600 MiB", "12.5 KiB". */
export function sizeText(bytes: number): string {
  if (bytes >= MiB) return `${trimmed(bytes / MiB)} MiB`;
  if (bytes >= 1024) return `${trimmed(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

function trimmed(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The README's table of bounds, row by row: what is bounded, and the bound. */
export function boundsTable(): [string, string][] {
  return [
    ['one record of the input (a CSV record, quoted or not; a JSONL line)', sizeText(MAX_RECORD_BYTES)],
    ['one text field of a request', `${MAX_FIELD_CHARACTERS.toLocaleString('en-US')} characters`],
    ["one JSONata expression's work for one record", `${MAX_EXPRESSION_STEPS.toLocaleString('en-US')} evaluation steps`],
    ["one JSONata expression's nesting (recursion)", `${MAX_EXPRESSION_DEPTH} levels`],
    ['one JSONata sequence or range', `${MAX_EXPRESSION_ITEMS.toLocaleString('en-US')} items`],
    ['one request body the sandbox reads', sizeText(MAX_REQUEST_BYTES)],
  ];
}
