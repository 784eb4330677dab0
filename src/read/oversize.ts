/** Why a record over the size bound is refused, and what became of the lines an unclosed quote swallowed. */
import { MAX_RECORD_BYTES, sizeText } from '../limits.js';
import { OVERSIZE_HEAD_CHARACTERS, type Oversize } from './recordBounds.js';

/** `line` is where the record starts, `last` the input's last line. */
export function oversizeReason(oversize: Oversize, line: number, last: number): string {
  const bound = sizeText(MAX_RECORD_BYTES);
  if (oversize.unclosed) return `unclosed quote, still open ${bound} later, so parsing stopped${linesLost(line, last)}`;
  return `record is ${sizeText(oversize.size)}, over the ${bound} one record may hold (only its first ${OVERSIZE_HEAD_CHARACTERS} characters are kept)`;
}

/** What an unclosed quote at `line` kept from being read, to the input's `last` line. */
export function linesLost(line: number, last: number): string {
  const unread = last - line;
  return unread === 0 ? '' : unread === 1 ? ': the line after it was not read' : `: the ${unread} lines after it, to the end of the file, were not read`;
}
