/**
 * Cuts the input into whole records and holds each to a size, before any parser sees it: what it hands on is whole
 * records (runs of them, as they came), and in place of a record over the bound a note of it (its first characters,
 * its size, how many line breaks it spans). Memory holds at most one record's bound plus one piece, whatever the
 * input's shape: a 600 MiB cell is counted as it streams past, never joined into one string.
 *
 * With `quotes` (CSV), a line break inside double quotes does not end a record ("" toggles twice, as csv-parse reads
 * it); a record still quoted at the end of the input is `unclosed`. JSON Lines has no quoted line breaks.
 */

export type Piece = Buffer | string;

/** A record over the bound, in place of its text. */
export interface Oversize {
  kind: 'oversize';
  /** Its first characters, for a rejects file and a message. */
  head: string;
  /** Its size in bytes (characters for decoded text), line ending excluded. */
  size: number;
  /** The line breaks inside it (quoted ones), so the lines after it keep their numbers. */
  breaks: number;
  /** A line ending followed it (the last record of a file may have none). */
  terminated: boolean;
  /** The input ended inside a quoted field. */
  unclosed: boolean;
}

export type Segment = Piece | Oversize;

/** How much of an oversize record is kept, for its rejects line and its message. */
export const OVERSIZE_HEAD_CHARACTERS = 200;

const NEWLINE = '\n';
const QUOTE = '"';

export class RecordBounds {
  /** The pieces of the record under way (its start), while it is under the bound. */
  private tail: Piece[] = [];
  private tailLength = 0;
  /** Inside a quoted field at the end of what was scanned. */
  private quoted = false;
  /** The record under way is over the bound: it is only counted until it ends. */
  private skipping: Oversize | undefined;
  /** The next quote in the piece being scanned (-1: none left in it), so each piece is searched for quotes once. */
  private quotePiece: Piece | undefined;
  private quoteAt = -1;

  constructor(private readonly options: { quotes: boolean; max: number }) {}

  /** The whole records and oversize notes that `piece` completes, in order. */
  push(piece: Piece): Segment[] {
    const out: Segment[] = [];
    let from = 0;
    if (this.skipping) {
      const end = this.recordEnd(piece, 0);
      const stop = end === -1 ? piece.length : end;
      this.skipping.size += stop;
      this.skipping.breaks += countNewlines(piece, 0, stop);
      if (end === -1) return out;
      out.push({ ...this.skipping, terminated: true });
      this.skipping = undefined;
      from = end + 1;
    }
    let flushed = from;
    for (let end = this.recordEnd(piece, from); end !== -1; end = this.recordEnd(piece, from)) {
      if (this.tailLength + end - from > this.options.max) {
        if (flushed < from) out.push(joined([cut(piece, flushed, from)]));
        out.push(this.oversize([...this.tail, cut(piece, from, end)], { terminated: true }));
        flushed = end + 1;
      } else if (this.tailLength > 0) {
        out.push(joined([...this.tail, cut(piece, from, end + 1)]));
        flushed = end + 1;
      }
      this.tail = [];
      this.tailLength = 0;
      from = end + 1;
    }
    if (flushed < from) out.push(cut(piece, flushed, from));
    if (from < piece.length) {
      this.tail.push(cut(piece, from));
      this.tailLength += piece.length - from;
      if (this.tailLength > this.options.max) {
        this.skipping = this.oversize(this.tail, { terminated: false });
        this.tail = [];
        this.tailLength = 0;
      }
    }
    return out;
  }

  /** The input ended: the last record, if it had no line ending. */
  end(): Segment[] {
    if (this.skipping) {
      const last = { ...this.skipping, unclosed: this.quoted };
      this.skipping = undefined;
      return [last];
    }
    const tail = this.tail;
    this.tail = [];
    this.tailLength = 0;
    return tail.length === 0 ? [] : [joined(tail)];
  }

  private oversize(parts: Piece[], { terminated }: { terminated: boolean }): Oversize {
    let size = 0;
    let breaks = 0;
    for (const part of parts) {
      size += part.length;
      breaks += countNewlines(part, 0, part.length);
    }
    return { kind: 'oversize', head: headOf(parts), size, breaks, terminated, unclosed: false };
  }

  /** Where the next record ends in `piece` (its line break), or -1; keeps track of quotes on the way. */
  private recordEnd(piece: Piece, from: number): number {
    let newline = piece.indexOf(NEWLINE, from);
    if (!this.options.quotes) return newline;
    if (this.quotePiece !== piece || (this.quoteAt !== -1 && this.quoteAt < from)) {
      this.quotePiece = piece;
      this.quoteAt = piece.indexOf(QUOTE, from);
    }
    for (;;) {
      const stop = newline === -1 ? piece.length : newline;
      while (this.quoteAt !== -1 && this.quoteAt < stop) {
        this.quoted = !this.quoted;
        this.quoteAt = piece.indexOf(QUOTE, this.quoteAt + 1);
      }
      if (newline === -1 || !this.quoted) return newline;
      newline = piece.indexOf(NEWLINE, newline + 1);
    }
  }
}

function cut(piece: Piece, from: number, to?: number): Piece {
  return typeof piece === 'string' ? piece.slice(from, to) : piece.subarray(from, to);
}

function countNewlines(piece: Piece, from: number, to: number): number {
  let count = 0;
  for (let at = piece.indexOf(NEWLINE, from); at !== -1 && at < to; at = piece.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

function joined(parts: Piece[]): Piece {
  if (parts.length === 1) return parts[0]!;
  return typeof parts[0] === 'string' ? parts.join('') : Buffer.concat(parts as Buffer[]);
}

function headOf(parts: Piece[]): string {
  let head = '';
  for (const part of parts) {
    head += typeof part === 'string' ? part.slice(0, OVERSIZE_HEAD_CHARACTERS) : new TextDecoder().decode(part.subarray(0, OVERSIZE_HEAD_CHARACTERS * 4));
    if (head.length >= OVERSIZE_HEAD_CHARACTERS) break;
  }
  return head.slice(0, OVERSIZE_HEAD_CHARACTERS).replace(/[\r\n]+/g, ' ');
}
